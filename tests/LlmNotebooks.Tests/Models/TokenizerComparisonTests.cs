using LlmNotebooks.Models.Gpt;
using Microsoft.ML.Tokenizers;

namespace LlmNotebooks.Tests.Models;

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
