using LlmNotebooks.Models.Gpt;

namespace LlmNotebooks.Tests.Models;

public class GptConfigTests
{
    [Fact]
    public void DModel_not_divisible_by_nHead_names_both()
    {
        // GPT-3 XL as printed in Table 2.1: dmodel 2048 with 24 heads.
        var e = Assert.Throws<ArgumentException>(() => new GptConfig("GPT-3 XL as printed", 24, 2048, 24, 2048, 50257));
        Assert.Equal("dModel", e.ParamName);
        Assert.Contains("nHead", e.Message);
        Assert.Contains("2048", e.Message);
        Assert.Contains("24", e.Message);
        Assert.Contains("85.333", e.Message);
    }

    [Theory]
    [InlineData("nLayer", 0)]
    [InlineData("nLayer", -1)]
    [InlineData("dModel", 0)]
    [InlineData("nHead", 0)]
    [InlineData("nHead", -12)]
    [InlineData("nCtx", 0)]
    [InlineData("vocabSize", 0)]
    [InlineData("vocabSize", int.MinValue)]
    [InlineData("dFf", 0)]
    public void Non_positive_sizes_name_the_parameter(string parameter, int bad)
    {
        int nLayer = 12, dModel = 768, nHead = 12, nCtx = 1024, vocabSize = 50257;
        int? dFf = null;
        switch (parameter)
        {
            case "nLayer": nLayer = bad; break;
            case "dModel": dModel = bad; break;
            case "nHead": nHead = bad; break;
            case "nCtx": nCtx = bad; break;
            case "vocabSize": vocabSize = bad; break;
            case "dFf": dFf = bad; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GptConfig("bad", nLayer, dModel, nHead, nCtx, vocabSize, dFf: dFf));
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains("≥ 1", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
    }

    [Fact]
    public void Other_bad_arguments()
    {
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new GptConfig("  ", 1, 8, 1, 8, 8)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new GptConfig(null!, 1, 8, 1, 8, 8));
        Assert.Throws<ArgumentNullException>(() => new GptConfig("x", 1, 8, 1, 8, 8, source: null!));
        Assert.Equal("dModel", Assert.Throws<ArgumentOutOfRangeException>(() => new GptConfig("x", 1, GptConfig.MaxDModel + 1, 1, 8, 8)).ParamName);
        Assert.Equal("layerNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new GptConfig("x", 1, 8, 1, 8, 8, (LayerNormPlacement)5)).ParamName);
    }

    [Fact]
    public void Defaults_follow_gpt2()
    {
        var c = new GptConfig("gpt2", 12, 768, 12, 1024, 50257);
        Assert.Equal(64, c.DHead);
        Assert.Equal(3072, c.DFf);
        Assert.Equal(LayerNormPlacement.PreLn, c.LayerNorm);
        Assert.True(c.FinalLayerNorm && c.TiedOutputHead && c.Bias);
        Assert.Equal(GptModels.Gpt2.CountParameters().Total, c.CountParameters().Total);
    }

    [Fact]
    public void Released_configs_match_their_config_json()
    {
        // huggingface.co/openai-community/*/config.json: (n_layer, n_embd, n_head, n_positions, vocab_size)
        (string, int, int, int, int, int)[] expected =
        [
            ("openai-gpt", 12, 768, 12, 512, 40478),
            ("gpt2", 12, 768, 12, 1024, 50257),
            ("gpt2-medium", 24, 1024, 16, 1024, 50257),
            ("gpt2-large", 36, 1280, 20, 1024, 50257),
            ("gpt2-xl", 48, 1600, 25, 1024, 50257),
        ];
        Assert.Equal(expected, GptModels.Released.Select(c => (c.Name, c.NLayer, c.DModel, c.NHead, c.NCtx, c.VocabSize)));
        Assert.All(GptModels.Released, c => Assert.False(string.IsNullOrWhiteSpace(c.Source)));
        Assert.Equal((LayerNormPlacement.PostLn, false), (GptModels.OpenAiGpt.LayerNorm, GptModels.OpenAiGpt.FinalLayerNorm));
    }
}
