using LlmNotebooks.Attention;

namespace LlmNotebooks.Tests.Attention;

public class TokenEmbeddingTests
{
    [Fact]
    public void A_word_always_gets_its_own_row()
    {
        var emb = new TokenEmbedding(["dog", "bites", "man"], 4, seed: 1);
        var x = emb.Embed("man bites dog");
        var wte = emb.Wte;
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal(wte[2, j], x[0, j]);
            Assert.Equal(wte[1, j], x[1, j]);
            Assert.Equal(wte[0, j], x[2, j]);
        }
        Assert.Equal(x, new TokenEmbedding(["dog", "bites", "man"], 4, seed: 1).Embed(["man", "bites", "dog"]));
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("vocabulary", Assert.Throws<ArgumentException>(() => new TokenEmbedding(["a", "a"], 4, 1)).ParamName);
        Assert.Equal("vocabulary", Assert.Throws<ArgumentException>(() => new TokenEmbedding([], 4, 1)).ParamName);
        Assert.Equal("dModel", Assert.Throws<ArgumentOutOfRangeException>(() => new TokenEmbedding(["a"], 0, 1)).ParamName);
        var emb = new TokenEmbedding(["a"], 4, 1);
        Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => emb.Embed(["a", "b"])).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => emb.Embed("   ")).ParamName);
    }
}
