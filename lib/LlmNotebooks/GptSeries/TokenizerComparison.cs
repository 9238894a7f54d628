using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmNotebooks.GptSeries;

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
/// A run of text and the tokens that encode it: one or more whole tokens, or the byte-level pieces of characters that
/// no single token covers (GPT-2 splits "言", 3 UTF-8 bytes, into 3 tokens).
/// </summary>
/// <param name="Text">The characters the tokens cover.</param>
/// <param name="Tokens">How many tokens encode <paramref name="Text"/>, ≥ 1.</param>
public sealed record TokenSegment(string Text, int Tokens)
{
    /// <summary>The text, followed by "×k" when k &gt; 1 tokens share it (partial-character byte tokens).</summary>
    public override string ToString() => Tokens == 1 ? Text : $"{Text}×{Tokens}";
}

/// <summary>How many entries of a tiktoken vocabulary hold CJK ideographs.</summary>
/// <param name="Tokenizer">The tokenizer's name as given.</param>
/// <param name="VocabularySize">Ids 0 … VocabularySize − 1 = highest special-token id + 1 (tiktoken's n_vocab for gpt2, cl100k_base, o200k_base).</param>
/// <param name="WithIdeograph">Entries whose bytes contain the complete UTF-8 encoding of at least one ideograph in U+4E00–U+9FFF.</param>
/// <param name="WithTwoOrMoreIdeographs">Entries with at least two such ideographs (merged words such as "模型").</param>
public sealed record CjkVocabularyCount(string Tokenizer, int VocabularySize, int WithIdeograph, int WithTwoOrMoreIdeographs);

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

    /// <summary>
    /// Splits <paramref name="text"/> into the runs its tokens cover, in order. Byte-level BPE gives every token the
    /// characters its bytes belong to, so the byte pieces of one character overlap and are merged into one segment
    /// with their count: GPT-2 encodes "大语言模型" as 大 | 语×2 | 言×3 | 模×3 | 型×3, o200k_base as 大 | 语言 | 模型.
    /// </summary>
    /// <param name="tokenizer">Any Microsoft.ML.Tokenizers tokenizer whose tokens carry offsets into the (normalized) text.</param>
    /// <param name="text">The text, not empty.</param>
    /// <returns>Segments in text order; their Tokens add up to the token count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> or <paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty.</exception>
    public static IReadOnlyList<TokenSegment> Segments(Tokenizer tokenizer, string text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("text must not be empty.", nameof(text));
        var tokens = tokenizer.EncodeToTokens(text, out string? normalized);
        string source = normalized ?? text;
        var segments = new List<TokenSegment>();
        int start = 0, end = -1, count = 0;
        foreach (var token in tokens)
        {
            var (offset, length) = token.Offset.GetOffsetAndLength(source.Length);
            if (count > 0 && offset < end)
            {
                end = Math.Max(end, offset + length);
                count++;
                continue;
            }
            if (count > 0) segments.Add(new TokenSegment(source[start..end], count));
            (start, end, count) = (offset, offset + length, 1);
        }
        if (count > 0) segments.Add(new TokenSegment(source[start..end], count));
        return segments;
    }

    /// <summary>
    /// Counts the vocabulary entries that hold CJK ideographs (U+4E00–U+9FFF): every id from 0 to the highest
    /// special-token id is decoded on its own, and byte pieces of a character (decoded as U+FFFD) do not count.
    /// gpt2 51 (4 with two or more), cl100k_base 868 (239), o200k_base 7,563 (4,231): why Chinese takes fewer tokens in newer encodings.
    /// </summary>
    /// <param name="name">The tokenizer's name for the table, not empty.</param>
    /// <param name="tokenizer">A tiktoken tokenizer with at least one special token (its highest id marks the end of the vocabulary).</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or the tokenizer has no special tokens.</exception>
    public static CjkVocabularyCount CountCjkVocabulary(string name, TiktokenTokenizer tokenizer)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must not be null or empty.", nameof(name));
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.SpecialTokens is not { Count: > 0 } special)
            throw new ArgumentException("tokenizer must have special tokens: the highest special-token id marks the end of the vocabulary.", nameof(tokenizer));
        int size = checked(special.Values.Max() + 1);
        int one = 0, two = 0;
        var id = new int[1];
        for (int i = 0; i < size; i++)
        {
            id[0] = i;
            int ideographs = 0;
            foreach (var rune in (tokenizer.Decode(id) ?? "").EnumerateRunes())
                if (rune.Value is >= 0x4E00 and <= 0x9FFF) ideographs++;
            if (ideographs >= 1) one++;
            if (ideographs >= 2) two++;
        }
        return new CjkVocabularyCount(name, size, one, two);
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
