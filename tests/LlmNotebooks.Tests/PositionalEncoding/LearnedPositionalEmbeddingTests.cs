using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.PositionalEncoding;

public class LearnedPositionalEmbeddingTests
{
    [Theory]
    // openai-gpt config.json (Hugging Face): n_positions 512, n_embd 768.
    [InlineData(512, 768, 393_216)]
    // gpt2 config.json / openai/gpt-2 hparams: n_ctx 1024, n_embd 768 (124M), 1024 (355M), 1280 (774M), 1600 (1.5B).
    [InlineData(1024, 768, 786_432)]
    [InlineData(1024, 1600, 1_638_400)]
    public void Parameter_count_is_nCtx_times_dModel(int nCtx, int dModel, long expected)
    {
        Assert.Equal(expected, LearnedPositionalEmbedding.Parameters(nCtx, dModel));
    }

    [Fact]
    public void Table_has_rows_up_to_nCtx_and_none_beyond()
    {
        var wpe = new LearnedPositionalEmbedding(16, 4, seed: 1);
        Assert.Equal(64, wpe.ParameterCount);
        var t = wpe.Table(16);
        var first = wpe.Table(3);
        for (int j = 0; j < 4; j++) Assert.Equal(t[2, j], first[2, j]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => wpe.Table(17));
        Assert.Equal("seqLen", e.ParamName);
        Assert.Contains("no row for position 16", e.Message);
    }

    [Fact]
    public void Initialisation_follows_gpt2_std_and_the_seed()
    {
        // openai/gpt-2 src/model.py: wpe ~ N(0, 0.01²).
        var t = new LearnedPositionalEmbedding(1024, 768, seed: 2).Table(1024);
        double sumSq = 0;
        foreach (var v in t) sumSq += v * (double)v;
        Assert.Equal(0.01, Math.Sqrt(sumSq / t.Length), 1e-4);
        Assert.Equal(t, new LearnedPositionalEmbedding(1024, 768, seed: 2).Table(1024));
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("nCtx", Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedPositionalEmbedding(0, 4, 1)).ParamName);
        Assert.Equal("dModel", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedPositionalEmbedding.Parameters(4, -1)).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedPositionalEmbedding(4, 4, 1, 0)).ParamName);
        Assert.Equal("seqLen", Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedPositionalEmbedding(4, 4, 1).Table(0)).ParamName);
    }
}
