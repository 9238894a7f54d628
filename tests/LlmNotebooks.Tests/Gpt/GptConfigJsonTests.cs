using LlmNotebooks.Gpt;

namespace LlmNotebooks.Tests.Gpt;

public class GptConfigJsonTests
{
    [Fact]
    public void GPT2_small_config_has_124439808_parameters()
    {
        // GPT-2 small (Radford et al. 2019; Hugging Face "gpt2": n_layer 12, n_head 12, n_embd 768, n_positions 1024,
        // vocab 50257, tied wte/lm_head): 124,439,808 parameters, the "124M" of the GPT-2 model card.
        var gpt2 = new GptConfig { NLayer = 12, NHead = 12, DModel = 768, NCtx = 1024, VocabSize = 50257 };
        Assert.Equal(124_439_808, gpt2.ParameterCount);
    }

    [Fact]
    public void Json_round_trips_every_field()
    {
        var c = new GptConfig
        {
            Name = "test", NLayer = 3, NHead = 2, DModel = 64, NCtx = 32, VocabSize = 500, DFf = 100, Placement = NormPlacement.DeepNorm,
            Norm = NormKind.RMSNorm, Positions = PositionalScheme.Sinusoidal, TiedEmbeddings = false, Bias = false, NormEpsilon = 1e-6,
            Source = "a test",
        };
        var json = c.ToJson();
        Assert.Contains("\"nLayer\": 3", json);
        Assert.Contains("\"placement\": \"DeepNorm\"", json);
        Assert.Contains("\"norm\": \"RMSNorm\"", json);
        Assert.Contains("\"positions\": \"Sinusoidal\"", json);
        Assert.Contains("\"finalNorm\": false", json);
        Assert.Equal(c, GptConfig.FromJson(json));
        foreach (var kind in Enum.GetValues<NormKind>())
            Assert.Equal(c with { Norm = kind, Placement = NormPlacement.PreLN }, GptConfig.FromJson((c with { Norm = kind, Placement = NormPlacement.PreLN }).ToJson()));
    }

    [Fact]
    public void The_shipped_config_json_of_the_earlier_format_still_loads()
    {
        // models/tiny-gpt/config.json predates norm kinds: "norm" there is the placement and every norm is a LayerNorm.
        var path = Path.Combine(GptModelTests.ShippedFolder(), ModelFolder.ConfigFileName);
        Assert.Contains("\"norm\": \"PreLN\"", File.ReadAllText(path));
        var c = GptConfig.Load(path);
        Assert.Equal(new GptConfig(), c); // the defaults are the shipped model's shape
        var post = GptConfig.FromJson(File.ReadAllText(path).Replace("\"PreLN\"", "\"PostLN\""));
        Assert.Equal((NormPlacement.PostLN, NormKind.LayerNorm, false), (post.Placement, post.Norm, post.FinalNorm));
    }

    private const string Earlier = "\"nLayer\":1,\"nHead\":2,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"norm\":\"PreLN\",\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"layerNormEpsilon\":1e-5";

    private const string Current = "\"nLayer\":1,\"nHead\":2,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"dFf\":256,\"placement\":\"PreLN\",\"norm\":\"LayerNorm\",\"finalNorm\":true,\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"bias\":true,\"normEpsilon\":1e-5";

    [Theory]
    [InlineData("{\"nLayer\": 1}", "missing")]
    [InlineData("{" + Earlier + ",\"extra\":1}", "extra")]
    [InlineData("{" + Current + ",\"extra\":1}", "extra")]
    [InlineData("{\"placement\":\"PreLN\",\"nLayer\":1}", "missing")]
    [InlineData("not json", "")]
    public void Bad_config_json_throws_InvalidData(string json, string why)
    {
        Assert.Equal(GptConfig.FromJson("{" + Earlier + "}"), GptConfig.FromJson("{" + Current + "}")); // both formats, unchanged, load
        var e = Assert.Throws<InvalidDataException>(() => GptConfig.FromJson(json, "config.json"));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Theory]
    [InlineData("\"nHead\":2", "\"nHead\":3", "NHead must divide")]
    [InlineData("\"nLayer\":1", "\"nLayer\":0", "NLayer")]
    [InlineData("\"norm\":\"LayerNorm\"", "\"norm\":\"GroupNorm\"", "")]
    [InlineData("\"placement\":\"PreLN\"", "\"placement\":\"MidLN\"", "")]
    [InlineData("\"norm\":\"LayerNorm\"", "\"norm\":3", "")]
    public void Out_of_range_fields_throw_InvalidData_naming_them(string from, string to, string why)
    {
        var e = Assert.Throws<InvalidDataException>(() => GptConfig.FromJson("{" + Current.Replace(from, to) + "}", "config.json"));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(why, e.Message);
    }
}
