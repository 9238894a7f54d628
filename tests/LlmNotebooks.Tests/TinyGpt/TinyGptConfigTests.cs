using LlmNotebooks.TinyGpt;

namespace LlmNotebooks.Tests.TinyGpt;

public class TinyGptConfigTests
{
    [Fact]
    public void GPT2_small_config_has_124439808_parameters()
    {
        // GPT-2 small (Radford et al. 2019; Hugging Face "gpt2": n_layer 12, n_head 12, n_embd 768, n_positions 1024,
        // vocab 50257, tied wte/lm_head): 124,439,808 parameters, the "124M" of the GPT-2 model card.
        var gpt2 = new TinyGptConfig { NLayer = 12, NHead = 12, DModel = 768, NCtx = 1024, VocabSize = 50257 };
        Assert.Equal(124_439_808, gpt2.ParameterCount);
    }

    [Fact]
    public void Parameter_names_mirror_GPT2_and_depend_on_norm_positions_and_tying()
    {
        var pre = new TinyGptConfig { NLayer = 2 };
        var names = pre.ParameterShapes().Select(p => p.Name).ToList();
        Assert.Equal(2 + 12 * 2 + 2, names.Count);
        Assert.Contains("wpe.weight", names);
        Assert.Contains("h.1.attn.c_attn.weight", names);
        Assert.Contains("h.0.mlp.c_proj.bias", names);
        Assert.Contains("ln_f.weight", names);
        Assert.Equal([3 * 128, 128], pre.ParameterShapes().Single(p => p.Name == "h.0.attn.c_attn.weight").Shape);
        Assert.Equal([128, 512], pre.ParameterShapes().Single(p => p.Name == "h.0.mlp.c_proj.weight").Shape);

        var post = pre with { Norm = NormPlacement.PostLN, Positions = PositionalScheme.Rope, TiedEmbeddings = false };
        var postNames = post.ParameterShapes().Select(p => p.Name).ToList();
        Assert.DoesNotContain("ln_f.weight", postNames);
        Assert.DoesNotContain("wpe.weight", postNames);
        Assert.Contains("lm_head.weight", postNames);
    }

    [Fact]
    public void Json_round_trips_and_uses_the_field_names()
    {
        var c = new TinyGptConfig { NLayer = 3, NHead = 2, DModel = 64, NCtx = 32, VocabSize = 500, Norm = NormPlacement.PostLN, Positions = PositionalScheme.Sinusoidal, TiedEmbeddings = false };
        var json = c.ToJson();
        Assert.Contains("\"nLayer\": 3", json);
        Assert.Contains("\"norm\": \"PostLN\"", json);
        Assert.Contains("\"positions\": \"Sinusoidal\"", json);
        Assert.Equal(c, TinyGptConfig.FromJson(json));
    }

    [Theory]
    [InlineData("{\"nLayer\": 1}", "missing")]
    [InlineData("{\"nLayer\":2,\"nHead\":3,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"norm\":\"PreLN\",\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"layerNormEpsilon\":1e-5}", "NHead must divide")]
    [InlineData("{\"nLayer\":0,\"nHead\":2,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"norm\":\"PreLN\",\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"layerNormEpsilon\":1e-5}", "NLayer")]
    [InlineData("{\"nLayer\":1,\"nHead\":2,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"norm\":\"MidLN\",\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"layerNormEpsilon\":1e-5}", "")]
    [InlineData("{\"nLayer\":1,\"nHead\":2,\"dModel\":64,\"nCtx\":8,\"vocabSize\":300,\"norm\":\"PreLN\",\"positions\":\"Learned\",\"tiedEmbeddings\":true,\"layerNormEpsilon\":1e-5,\"extra\":1}", "extra")]
    [InlineData("not json", "")]
    public void Bad_config_json_throws_InvalidData(string json, string why)
    {
        var e = Assert.Throws<InvalidDataException>(() => TinyGptConfig.FromJson(json, "config.json"));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Rope_needs_an_even_head_dimension()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TinyGptConfig { DModel = 12, NHead = 4, Positions = PositionalScheme.Rope }.Validate());
        Assert.Contains("even for RoPE", e.Message);
    }
}
