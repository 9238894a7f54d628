using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmNotebooks.Models.Gpt;

/// <summary>Token count of one text under one tokenizer.</summary>
/// <param name="Tokenizer">The tokenizer's name as given, e.g. "gpt2", "cl100k_base", "o200k_base".</param>
/// <param name="TextIndex">Index of the text in the input list.</param>
/// <param name="Text">The text.</param>
/// <param name="Characters">Unicode scalar values (what a reader counts as characters; a surrogate pair counts once).</param>
/// <param name="Utf8Bytes">Bytes of the text in UTF-8 (what byte-level BPE starts from).</param>
/// <param name="Tokens">Tokens the tokenizer produces (no BOS/EOS added).</param>
public sealed record TokenCount(string Tokenizer, int TextIndex, string Text, int Characters, int Utf8Bytes, int Tokens)
{
    /// <summary>Characters / Tokens: how much text one token carries (higher = more compact).</summary>
    public double CharactersPerToken => (double)Characters / Tokens;
}

/// <summary>A tokenizer's totals over all texts.</summary>
/// <param name="Tokenizer">The tokenizer's name as given.</param>
/// <param name="Characters">Sum of Unicode scalar values over the texts.</param>
/// <param name="Tokens">Sum of tokens over the texts.</param>
public sealed record TokenizerTotal(string Tokenizer, long Characters, long Tokens)
{
    /// <summary>Characters / Tokens over all texts.</summary>
    public double CharactersPerToken => (double)Characters / Tokens;
}

/// <summary>
/// Compares how many tokens different tokenizers need for the same texts, e.g. GPT-2's r50k/gpt2 (50,257 ids),
/// GPT-4's cl100k_base (100,277) and GPT-4o's o200k_base (200,019), built with Microsoft.ML.Tokenizers'
/// TiktokenTokenizer.CreateForModel / CreateForEncoding.
/// </summary>
/// <remarks>
/// Counts come from <see cref="Tokenizer.CountTokens(string, bool, bool)"/> with pre-tokenization and normalization on,
/// i.e. what <c>EncodeToIds</c> would return; tiktoken tokenizers add no BOS/EOS. A special-token string in the text
/// (e.g. "&lt;|endoftext|&gt;") is encoded as that one special token, unlike tiktoken's encode_ordinary. Reference: OpenAI Cookbook,
/// "How to count tokens with tiktoken" (e.g. "お誕生日おめでとう": r50k_base 14, cl100k_base 9, o200k_base 8 tokens).
/// </remarks>
public static class TokenizerComparison
{
    /// <summary>Counts the tokens of every text under every tokenizer.</summary>
    /// <param name="tokenizers">Named tokenizers, at least one; names must be non-empty and distinct.</param>
    /// <param name="texts">Texts, at least one; none null or empty.</param>
    /// <returns>One row per (tokenizer, text), tokenizers in the given order, texts in the given order within each.</returns>
    /// <exception cref="ArgumentNullException">A list, a tokenizer or a text is null.</exception>
    /// <exception cref="ArgumentException">A list is empty, a name is empty or repeated, or a text is empty (names the index).</exception>
    public static IReadOnlyList<TokenCount> Compare(IReadOnlyList<(string Name, Tokenizer Tokenizer)> tokenizers, IReadOnlyList<string> texts)
    {
        Validate(tokenizers, texts);
        var characters = texts.Select(t => t.EnumerateRunes().Count()).ToArray();
        var bytes = texts.Select(t => Encoding.UTF8.GetByteCount(t)).ToArray();
        var rows = new List<TokenCount>(tokenizers.Count * texts.Count);
        foreach (var (name, tokenizer) in tokenizers)
            for (int i = 0; i < texts.Count; i++)
                rows.Add(new TokenCount(name, i, texts[i], characters[i], bytes[i], tokenizer.CountTokens(texts[i])));
        return rows;
    }

    /// <summary>Totals per tokenizer over the rows of <see cref="Compare"/>, in first-appearance order.</summary>
    /// <param name="counts">Rows from <see cref="Compare"/>, at least one.</param>
    /// <returns>One row per tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="counts"/> is empty.</exception>
    public static IReadOnlyList<TokenizerTotal> Totals(IReadOnlyList<TokenCount> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0) throw new ArgumentException("counts must not be empty.", nameof(counts));
        return counts.GroupBy(c => c.Tokenizer)
            .Select(g => new TokenizerTotal(g.Key, g.Sum(c => (long)c.Characters), g.Sum(c => (long)c.Tokens)))
            .ToArray();
    }

    private static void Validate(IReadOnlyList<(string Name, Tokenizer Tokenizer)> tokenizers, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(tokenizers);
        ArgumentNullException.ThrowIfNull(texts);
        if (tokenizers.Count == 0) throw new ArgumentException("tokenizers must not be empty.", nameof(tokenizers));
        if (texts.Count == 0) throw new ArgumentException("texts must not be empty.", nameof(texts));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tokenizers.Count; i++)
        {
            var (name, tokenizer) = tokenizers[i];
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"tokenizers[{i}].Name must not be null or empty.", nameof(tokenizers));
            if (tokenizer is null)
                throw new ArgumentNullException(nameof(tokenizers), $"tokenizers[{i}].Tokenizer ({name}) is null.");
            if (!names.Add(name))
                throw new ArgumentException($"tokenizers[{i}].Name \"{name}\" is used twice; names must be distinct.", nameof(tokenizers));
        }
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw new ArgumentNullException(nameof(texts), $"texts[{i}] is null.");
            if (texts[i].Length == 0)
                throw new ArgumentException($"texts[{i}] is empty; characters per token is undefined for an empty text.", nameof(texts));
        }
    }
}
