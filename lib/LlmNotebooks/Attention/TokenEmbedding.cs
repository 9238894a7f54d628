using LlmNotebooks.Numerics;

namespace LlmNotebooks.Attention;

/// <summary>
/// A toy token-embedding table (GPT-2's <c>wte</c>) over a small word vocabulary, with seeded N(0, std²) rows, so that
/// sentences such as "dog bites man" become matrices [seqLen, dModel]. The same word always maps to the same row:
/// the embedding itself says nothing about where a word stands.
/// </summary>
public sealed class TokenEmbedding
{
    private readonly Dictionary<string, int> _index;
    private readonly float[,] _wte;

    /// <summary>Creates the table; row r embeds vocabulary[r].</summary>
    /// <param name="vocabulary">Distinct, non-empty words (ordinal comparison); at least one.</param>
    /// <param name="dModel">Embedding width; ≥ 1.</param>
    /// <param name="seed">Seed for <see cref="Random"/>; the same seed gives the same table.</param>
    /// <param name="std">Standard deviation of the entries; finite and &gt; 0 (1 by default).</param>
    /// <exception cref="ArgumentException">vocabulary empty, with an empty word or a duplicate.</exception>
    /// <exception cref="ArgumentOutOfRangeException">dModel &lt; 1; std not finite or ≤ 0.</exception>
    public TokenEmbedding(IEnumerable<string> vocabulary, int dModel, int seed, double std = 1.0)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var words = vocabulary.ToArray();
        if (words.Length == 0) throw new ArgumentException("vocabulary must not be empty.", nameof(vocabulary));
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < words.Length; r++)
        {
            if (string.IsNullOrEmpty(words[r]))
                throw new ArgumentException($"vocabulary words must be non-empty; vocabulary[{r}] is empty.", nameof(vocabulary));
            if (!_index.TryAdd(words[r], r))
                throw new ArgumentException($"vocabulary words must be distinct; \"{words[r]}\" appears twice.", nameof(vocabulary));
        }
        Guard.Positive(dModel);
        Guard.PositiveFinite(std);
        Vocabulary = words;
        DModel = dModel;
        _wte = Matrices.RandomNormal(words.Length, dModel, seed, std);
    }

    /// <summary>The words, in row order.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Embedding width.</summary>
    public int DModel { get; }

    /// <summary>A copy of the table, shape [vocabulary size, dModel].</summary>
    public float[,] Wte => (float[,])_wte.Clone();

    /// <summary>Stacks the rows of the given tokens: result[i] = wte[index of tokens[i]].</summary>
    /// <param name="tokens">Words from the vocabulary; at least one.</param>
    /// <returns>Shape [tokens.Count, dModel].</returns>
    /// <exception cref="ArgumentException">tokens empty or containing a word not in the vocabulary.</exception>
    public float[,] Embed(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("tokens must not be empty.", nameof(tokens));
        var x = new float[tokens.Count, DModel];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] is null || !_index.TryGetValue(tokens[i], out int r))
                throw new ArgumentException($"tokens[{i}] = \"{tokens[i]}\" is not in the vocabulary.", nameof(tokens));
            Array2D.Row(_wte, r).CopyTo(Array2D.Row(x, i));
        }
        return x;
    }

    /// <summary>Splits <paramref name="text"/> on whitespace and embeds the words; see <see cref="Embed(IReadOnlyList{string})"/>.</summary>
    /// <param name="text">Space-separated words from the vocabulary.</param>
    /// <returns>Shape [number of words, dModel].</returns>
    /// <exception cref="ArgumentException">No words, or a word not in the vocabulary.</exception>
    public float[,] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new ArgumentException("text must contain at least one word.", nameof(text));
        return Embed(words);
    }
}
