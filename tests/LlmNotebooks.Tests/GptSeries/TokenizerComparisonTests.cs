using LlmNotebooks.GptSeries;
using Microsoft.ML.Tokenizers;

namespace LlmNotebooks.Tests.GptSeries;

/// <summary>The three tiktoken encodings, built once (each loads its vocabulary from the Microsoft.ML.Tokenizers.Data.* packages).</summary>
public sealed class TiktokenFixture
{
    public TiktokenTokenizer Gpt2 { get; } = TiktokenTokenizer.CreateForModel("gpt2");
    public TiktokenTokenizer Cl100k { get; } = TiktokenTokenizer.CreateForEncoding("cl100k_base");
    public TiktokenTokenizer O200k { get; } = TiktokenTokenizer.CreateForModel("gpt-4o");

    public (string Name, Tokenizer Tokenizer)[] All => [("gpt2", Gpt2), ("cl100k_base", Cl100k), ("o200k_base", O200k)];
}

public class TokenizerComparisonTests(TiktokenFixture tok) : IClassFixture<TiktokenFixture>
{
    // OpenAI Cookbook, "How to count tokens with tiktoken", section 5 "Comparing encodings" (r50k_base has the same
    // ranks as gpt2) and section 3 ("tiktoken is great!").
    [Theory]
    [InlineData("antidisestablishmentarianism", new[] { 415, 29207, 44390, 3699, 1042 }, new[] { 519, 85342, 34500, 479, 8997, 2191 }, new[] { 493, 129901, 376, 160388, 21203, 2367 })]
    [InlineData("2 + 2 = 4", new[] { 17, 1343, 362, 796, 604 }, new[] { 17, 489, 220, 17, 284, 220, 19 }, new[] { 17, 659, 220, 17, 314, 220, 19 })]
    [InlineData("お誕生日おめでとう",
        new[] { 2515, 232, 45739, 243, 37955, 33768, 98, 2515, 232, 1792, 223, 30640, 30201, 29557 },
        new[] { 33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699 },
        new[] { 8930, 9697, 243, 128225, 8930, 17693, 4344, 48669 })]
    public void Tokenizers_reproduce_the_cookbook_ids(string text, int[] gpt2, int[] cl100k, int[] o200k)
    {
        Assert.Equal(gpt2, tok.Gpt2.EncodeToIds(text));
        Assert.Equal(cl100k, tok.Cl100k.EncodeToIds(text));
        Assert.Equal(o200k, tok.O200k.EncodeToIds(text));

        var rows = TokenizerComparison.Compare(tok.All, [text]);
        Assert.Equal([gpt2.Length, cl100k.Length, o200k.Length], rows.Select(r => r.Tokens));
    }

    [Fact]
    public void Rows_carry_characters_bytes_and_characters_per_token()
    {
        string[] texts = ["antidisestablishmentarianism", "2 + 2 = 4", "お誕生日おめでとう"];
        var rows = TokenizerComparison.Compare(tok.All, texts);
        Assert.Equal(9, rows.Count);
        Assert.Equal(["gpt2", "gpt2", "gpt2", "cl100k_base", "cl100k_base", "cl100k_base", "o200k_base", "o200k_base", "o200k_base"],
            rows.Select(r => r.Tokenizer));

        var japaneseO200k = rows.Single(r => r.Tokenizer == "o200k_base" && r.TextIndex == 2);
        Assert.Equal(9, japaneseO200k.Characters);  // nine kana/kanji
        Assert.Equal(27, japaneseO200k.Utf8Bytes);  // three bytes each in UTF-8
        Assert.Equal(8, japaneseO200k.Tokens);
        Assert.Equal(9.0 / 8, japaneseO200k.CharactersPerToken);
        Assert.Equal(28.0 / 5, rows[0].CharactersPerToken); // "antidisestablishmentarianism" in gpt2: 28 characters, 5 tokens

        // totals: gpt2 5 + 5 + 14 = 24 tokens, cl100k 6 + 7 + 9 = 22, o200k 6 + 7 + 8 = 21, for 28 + 9 + 9 = 46 characters
        var totals = TokenizerComparison.Totals(rows);
        Assert.Equal([("gpt2", 46L, 24L), ("cl100k_base", 46L, 22L), ("o200k_base", 46L, 21L)],
            totals.Select(t => (t.Tokenizer, t.Characters, t.Tokens)));
        Assert.Equal(46.0 / 21, totals[2].CharactersPerToken);
    }

    [Fact]
    public void A_surrogate_pair_is_one_character()
    {
        var row = TokenizerComparison.Compare([("o200k_base", tok.O200k)], ["😀"]).Single();
        Assert.Equal(1, row.Characters);
        Assert.Equal(4, row.Utf8Bytes);
        Assert.Equal(tok.O200k.EncodeToIds("😀").Count, row.Tokens);
    }

    [Fact]
    public void Vocabulary_sizes_end_at_the_last_special_token()
    {
        // tiktoken n_vocab: gpt2 50,257 (<|endoftext|> = 50256), cl100k_base 100,277 (<|endofprompt|> = 100276),
        // o200k_base 200,019 (<|endofprompt|> = 200018).
        Assert.Equal(50_257, tok.Gpt2.SpecialTokens!.Values.Max() + 1);
        Assert.Equal(100_277, tok.Cl100k.SpecialTokens!.Values.Max() + 1);
        Assert.Equal(200_019, tok.O200k.SpecialTokens!.Values.Max() + 1);
        Assert.Equal(GptModels.Gpt2.VocabSize, tok.Gpt2.SpecialTokens!.Values.Max() + 1);
    }

    [Fact]
    public void Special_token_text_is_encoded_as_the_special_token()
    {
        Assert.Equal([31373, 220, 50256, 995], tok.Gpt2.EncodeToIds("hello <|endoftext|> world"));
        Assert.Equal(4, TokenizerComparison.Compare([("gpt2", tok.Gpt2)], ["hello <|endoftext|> world"]).Single().Tokens);
    }

    // OpenAI Cookbook, "How to count tokens with tiktoken", section 5: the token bytes of "お誕生日おめでとう".
    // r50k_base (= gpt2): e3 81 | 8a | e8 aa | 95 | e7 94 9f | e6 97 | a5 | e3 81 | 8a | e3 82 | 81 | e3 81 a7 | e3 81 a8 | e3 81 86
    // cl100k_base: e3 81 8a | e8 aa | 95 | e7 94 9f | e6 97 a5 | e3 81 8a | e3 82 81 | e3 81 a7 | e3 81 a8 e3 81 86
    // o200k_base: e3 81 8a | e8 aa | 95 | e7 94 9f e6 97 a5 | e3 81 8a | e3 82 81 | e3 81 a7 | e3 81 a8 e3 81 86
    [Fact]
    public void Segments_merge_the_byte_pieces_of_a_character_as_in_the_cookbook()
    {
        const string text = "お誕生日おめでとう";
        Assert.Equal(["お×2", "誕×2", "生", "日×2", "お×2", "め×2", "で", "と", "う"],
            TokenizerComparison.Segments(tok.Gpt2, text).Select(s => s.ToString()));
        Assert.Equal(["お", "誕×2", "生", "日", "お", "め", "で", "とう"],
            TokenizerComparison.Segments(tok.Cl100k, text).Select(s => s.ToString()));
        Assert.Equal(["お", "誕×2", "生日", "お", "め", "で", "とう"],
            TokenizerComparison.Segments(tok.O200k, text).Select(s => s.ToString()));
    }

    [Fact]
    public void Segments_cover_the_text_and_add_up_to_the_token_count()
    {
        string[] texts = ["antidisestablishmentarianism", "2 + 2 = 4", "大语言模型是如何演进的？", "var x = 1;\n    return x;", "😀 emoji"];
        foreach (var (name, t) in tok.All)
            foreach (var text in texts)
            {
                var segments = TokenizerComparison.Segments(t, text);
                Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
                Assert.Equal(t.CountTokens(text), segments.Sum(s => s.Tokens));
                Assert.All(segments, s => Assert.True(s.Tokens >= 1 && s.Text.Length >= 1, name));
            }
        Assert.Throws<ArgumentException>(() => TokenizerComparison.Segments(tok.Gpt2, ""));
        Assert.Throws<ArgumentNullException>(() => TokenizerComparison.Segments(null!, "x"));
    }

    [Fact]
    public void Cjk_vocabulary_counts_match_the_raw_rank_files()
    {
        // Oracle: Python over the raw rank files in the Microsoft.ML.Tokenizers.Data.* packages (one base64 token per line,
        // rank = line number), each token's bytes decoded with errors="replace" and its characters in U+4E00–U+9FFF counted.
        Assert.Equal(new CjkVocabularyCount("gpt2", 50_257, 51, 4), TokenizerComparison.CountCjkVocabulary("gpt2", tok.Gpt2));
        Assert.Equal(new CjkVocabularyCount("cl100k_base", 100_277, 868, 239), TokenizerComparison.CountCjkVocabulary("cl100k_base", tok.Cl100k));
        Assert.Equal(new CjkVocabularyCount("o200k_base", 200_019, 7_563, 4_231), TokenizerComparison.CountCjkVocabulary("o200k_base", tok.O200k));
    }

    [Fact]
    public void Cjk_vocabulary_count_on_a_hand_made_vocabulary()
    {
        // ranks: 0 "a", 1 "中", 2 "中文", 3 byte e4 (the first byte of 中 alone), 4 "中" + e6 (a character and a partial one), 5 "b"; special 6.
        byte[][] entries = [[0x61], [0xE4, 0xB8, 0xAD], [0xE4, 0xB8, 0xAD, 0xE6, 0x96, 0x87], [0xE4], [0xE4, 0xB8, 0xAD, 0xE6], [0x62]];
        var lines = string.Join("\n", entries.Select((e, rank) => Convert.ToBase64String(e) + " " + rank));
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(lines));
        var tiny = TiktokenTokenizer.Create(stream, preTokenizer: null, normalizer: null, new Dictionary<string, int> { ["<|endoftext|>"] = 6 });
        Assert.Equal(new CjkVocabularyCount("tiny", 7, 3, 1), TokenizerComparison.CountCjkVocabulary("tiny", tiny));

        using var noSpecial = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(lines));
        var bare = TiktokenTokenizer.Create(noSpecial, preTokenizer: null, normalizer: null);
        Assert.Equal("tokenizer", Assert.Throws<ArgumentException>(() => TokenizerComparison.CountCjkVocabulary("bare", bare)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => TokenizerComparison.CountCjkVocabulary(" ", tiny)).ParamName);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        string[] texts = ["x"];
        Assert.Equal("tokenizers", Assert.Throws<ArgumentException>(() => TokenizerComparison.Compare([], texts)).ParamName);
        Assert.Equal("texts", Assert.Throws<ArgumentException>(() => TokenizerComparison.Compare(tok.All, [])).ParamName);
        var dup = Assert.Throws<ArgumentException>(() => TokenizerComparison.Compare([("a", tok.Gpt2), ("a", tok.O200k)], texts));
        Assert.Contains("tokenizers[1]", dup.Message);
        Assert.Contains("tokenizers[0]", Assert.Throws<ArgumentException>(() => TokenizerComparison.Compare([("", tok.Gpt2)], texts)).Message);
        Assert.Contains("tokenizers[0]", Assert.Throws<ArgumentNullException>(() => TokenizerComparison.Compare([("a", null!)], texts)).Message);
        var empty = Assert.Throws<ArgumentException>(() => TokenizerComparison.Compare(tok.All, ["ok", ""]));
        Assert.Equal("texts", empty.ParamName);
        Assert.Contains("texts[1]", empty.Message);
        Assert.Throws<ArgumentNullException>(() => TokenizerComparison.Compare(tok.All, [null!]));
        Assert.Throws<ArgumentNullException>(() => TokenizerComparison.Compare(null!, texts));
        Assert.Throws<ArgumentException>(() => TokenizerComparison.Totals([]));
    }
}
