using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.Gpt;

public class GptConfigTests
{
    [Fact]
    public void DModel_not_divisible_by_nHead_names_both()
    {
        // GPT-3 XL as printed in Table 2.1: dmodel 2048 with 24 heads.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GptConfig { NLayer = 24, DModel = 2048, NHead = 24, NCtx = 2048, VocabSize = 50257 }.Validate());
        Assert.Equal("NHead", e.ParamName);
        Assert.Contains("DModel = 2048", e.Message);
        Assert.Contains("got 24", e.Message);
        Assert.Contains("85.333", e.Message);
    }

    [Theory]
    [InlineData("NLayer", 0)]
    [InlineData("NLayer", -1)]
    [InlineData("DModel", 0)]
    [InlineData("NHead", 0)]
    [InlineData("NHead", -12)]
    [InlineData("NCtx", 0)]
    [InlineData("VocabSize", 0)]
    [InlineData("VocabSize", int.MinValue)]
    [InlineData("DFf", 0)]
    public void Non_positive_sizes_name_the_field(string field, int bad)
    {
        var c = new GptConfig { NLayer = 12, DModel = 768, NHead = 12, NCtx = 1024, VocabSize = 50257 };
        c = field switch
        {
            "NLayer" => c with { NLayer = bad },
            "DModel" => c with { DModel = bad },
            "NHead" => c with { NHead = bad },
            "NCtx" => c with { NCtx = bad },
            "VocabSize" => c with { VocabSize = bad },
            _ => c with { DFf = bad },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => c.Validate());
        Assert.Equal(field, e.ParamName);
        Assert.Contains("≥ 1", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
    }

    [Fact]
    public void Other_bad_fields_name_themselves()
    {
        var ok = new GptConfig();
        Assert.Equal("Name", Assert.Throws<ArgumentNullException>(() => (ok with { Name = null! }).Validate()).ParamName);
        Assert.Equal("Source", Assert.Throws<ArgumentNullException>(() => (ok with { Source = null! }).Validate()).ParamName);
        Assert.Equal("DModel", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { DModel = GptConfig.MaxDModel + 1, NHead = 1 }).Validate()).ParamName);
        Assert.Equal("Placement", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { Placement = (NormPlacement)5 }).Validate()).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { Norm = (NormKind)9 }).Validate()).ParamName);
        Assert.Equal("NormEpsilon", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { NormEpsilon = double.NaN }).Validate()).ParamName);
        Assert.Equal("NormEpsilon", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { NormEpsilon = 0 }).Validate()).ParamName);
        var deepNone = Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { Placement = NormPlacement.DeepNorm, Norm = NormKind.None }).Validate());
        Assert.Equal("Norm", deepNone.ParamName);
        Assert.Contains("even for RoPE", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { DModel = 12, NHead = 4, Positions = PositionalScheme.Rope }).Validate()).Message);
        Assert.Contains("even for sinusoidal", Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { DModel = 9, NHead = 1, Positions = PositionalScheme.Sinusoidal }).Validate()).Message);
    }

    [Fact]
    public void Defaults_are_the_shipped_tiny_gpt_and_follow_gpt2()
    {
        var c = new GptConfig();
        Assert.Equal((4, 4, 128, 128, 4096), (c.NLayer, c.NHead, c.DModel, c.NCtx, c.VocabSize));
        Assert.Equal(32, c.DHead);
        Assert.Equal(512, c.DFf);                  // 4·dModel (Vaswani et al. 2017 §3.3)
        Assert.Equal((NormPlacement.PreLN, NormKind.LayerNorm, true), (c.Placement, c.Norm, c.FinalNorm));
        Assert.True(c.TiedEmbeddings && c.Bias);
        Assert.Equal(1e-5, c.NormEpsilon);
        Assert.Equal(1.0, c.ResidualScale);
        Assert.Equal(1_334_016, c.ParameterCount); // models/tiny-gpt/training.json parameterCount
        Assert.False((c with { Placement = NormPlacement.PostLN }).FinalNorm); // Post-LN (GPT-1) has no ln_f unless asked
        Assert.True((c with { Placement = NormPlacement.PostLN, FinalNorm = true }).FinalNorm);
        Assert.Equal(2048, (c with { DModel = 512 }).DFf); // a defaulted dFf follows dModel
        Assert.Equal(100, (c with { DFf = 100 } with { DModel = 512 }).DFf);
    }

    [Fact]
    public void Equality_compares_values_whether_defaulted_or_set()
    {
        var c = new GptConfig();
        Assert.Equal(c, c with { DFf = 512, FinalNorm = true });
        Assert.Equal(c.GetHashCode(), (c with { DFf = 512 }).GetHashCode());
        Assert.NotEqual(c, c with { DFf = 513 });
        Assert.NotEqual(c, c with { Name = "other" });
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
        Assert.Equal((NormPlacement.PostLN, false), (GptModels.OpenAiGpt.Placement, GptModels.OpenAiGpt.FinalNorm));
        Assert.All(GptModels.Released.Skip(1), c => Assert.Equal((NormPlacement.PreLN, true), (c.Placement, c.FinalNorm)));
    }

    // Wang et al. 2022 (DeepNet, arXiv:2203.00555) Fig. 2, decoder-only: α = (2N)^(1/4), β = (8N)^(−1/4). N = 6 is the
    // reference row of question 6's issue; N = 1000 is the paper's 1,000-layer case (α = 2000^(1/4), β = 8000^(−1/4)).
    [Theory]
    [InlineData(6, 1.861210, 0.379918)]
    [InlineData(1, 1.189207, 0.594604)]
    [InlineData(1000, 6.687403, 0.105737)]
    public void DeepNorm_constants_for_a_decoder_of_N_blocks(int n, double alpha, double beta)
    {
        Assert.Equal(alpha, DeepNorm.Alpha(n), 5e-7);
        Assert.Equal(beta, DeepNorm.Beta(n), 5e-7);
        Assert.Equal(alpha, new GptConfig { NLayer = n, Placement = NormPlacement.DeepNorm }.ResidualScale, 5e-7);
        Assert.Equal(1.0, new GptConfig { NLayer = n, Placement = NormPlacement.PostLN }.ResidualScale);
        Assert.Equal("nLayer", Assert.Throws<ArgumentOutOfRangeException>(() => DeepNorm.Alpha(0)).ParamName);
    }

    [Fact]
    public void Tensor_list_states_names_shapes_layout_and_what_is_trained()
    {
        var pre = new GptConfig { NLayer = 2 };
        var tensors = pre.Tensors();
        Assert.Equal(2 + 12 * 2 + 2, tensors.Count);
        Assert.Equal(["wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.ln_1.bias", "h.0.attn.c_attn.weight"], tensors.Take(5).Select(t => t.Name));
        Assert.Equal([3 * 128, 128], tensors.Single(t => t.Name == "h.0.attn.c_attn.weight").Shape); // [out, in]
        Assert.Equal([128, 512], tensors.Single(t => t.Name == "h.0.mlp.c_proj.weight").Shape);
        Assert.Equal("ln_f.bias", tensors[^1].Name);
        Assert.All(tensors, t => Assert.True(t.Trained));
        Assert.Equal(pre.ParameterCount, tensors.Sum(t => t.Count));

        var post = pre with { Placement = NormPlacement.PostLN, Positions = PositionalScheme.Rope, TiedEmbeddings = false };
        var names = post.Tensors().Select(t => t.Name).ToList();
        Assert.DoesNotContain("ln_f.weight", names);
        Assert.DoesNotContain("wpe.weight", names);
        Assert.Equal("lm_head.weight", names[^1]);
        Assert.True(names.IndexOf("h.0.attn.c_proj.bias") < names.IndexOf("h.0.ln_1.weight")); // Post-LN order: attn, ln_1, mlp, ln_2

        var rms = pre.Tensors().Count - (pre with { Norm = NormKind.RMSNorm }).Tensors().Count;
        Assert.Equal(5, rms); // RMSNorm has no β: ln_1, ln_2 per block and ln_f
        var batch = (pre with { Norm = NormKind.BatchNorm }).Tensors();
        Assert.Equal(["h.0.ln_1.weight", "h.0.ln_1.bias", "h.0.ln_1.running_mean", "h.0.ln_1.running_var"],
            batch.Where(t => t.Name.StartsWith("h.0.ln_1", StringComparison.Ordinal)).Select(t => t.Name));
        Assert.Equal(10, batch.Count(t => !t.Trained));
        Assert.Equal(pre.ParameterCount, (pre with { Norm = NormKind.BatchNorm }).ParameterCount); // running statistics are not parameters
        Assert.DoesNotContain((pre with { Norm = NormKind.None }).Tensors(), t => t.Name.Contains("ln_"));
        Assert.DoesNotContain((pre with { Bias = false }).Tensors(), t => t.Name.EndsWith(".bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Attention_and_expert_fields_are_checked_by_name()
    {
        var ok = new GptConfig { NHead = 8, DModel = 128 };
        string Bad(GptConfig c) => Assert.Throws<ArgumentOutOfRangeException>(() => c.Validate()).ParamName!;
        Assert.Equal("NKvHead", Bad(ok with { NKvHead = 3 }));   // must divide nHead
        Assert.Equal("NKvHead", Bad(ok with { NKvHead = 16 }));  // at most nHead
        Assert.Equal("NKvHead", Bad(ok with { NKvHead = 0 }));
        Assert.Equal("DHead", Bad(ok with { DHead = 0 }));
        Assert.Equal("NExpert", Bad(ok with { NExpert = -1 }));
        Assert.Equal("NExpertPerToken", Bad(ok with { NExpertPerToken = 1 }));              // a dense MLP routes nothing
        Assert.Equal("NExpertPerToken", Bad(ok with { NExpert = 4, NExpertPerToken = 5 }));
        Assert.Equal("NExpertPerToken", Bad(ok with { NExpert = 4 }));
        Assert.Equal("SlidingWindow", Bad(ok with { SlidingWindow = -1 }));
        Assert.Equal("SlidingWindowLayers", Bad(ok with { SlidingWindowLayers = SlidingWindowLayers.Even }));
        Assert.Equal("Mlp", Bad(ok with { Mlp = (MlpKind)7 }));
        // A set head width frees nHead from dividing dModel (gpt-oss: 64 heads of 64 on a 2880-wide stream).
        var wide = new GptConfig { DModel = 2880, NHead = 64, DHead = 64, NKvHead = 8 }.Validate();
        Assert.Equal((64, 8, 512), (wide.DHead, wide.NKvHead, wide.KvWidth));
        Assert.Equal(45, new GptConfig { DModel = 2880, NHead = 64 }.Validate().DHead);
        Assert.Equal(ok, ok with { NKvHead = 8, DHead = 16 }); // set to their defaults, equal
        Assert.Equal(8, (ok with { NHead = 8 }).NKvHead);      // a defaulted nKvHead follows nHead
    }

    [Fact]
    public void Only_gpt2_family_configs_are_runnable_and_the_message_names_the_field()
    {
        var ok = new GptConfig { Name = "t", NHead = 8, DModel = 128 };
        Assert.Same(ok, ok.ValidateRunnable());
        (GptConfig, string)[] cases =
        [
            (ok with { NKvHead = 2 }, "NKvHead = 2"),
            (ok with { DHead = 32 }, "NHead·DHead = 8·32"),
            (ok with { Mlp = MlpKind.SwiGlu }, "Mlp = SwiGlu"),
            (ok with { NExpert = 4, NExpertPerToken = 2 }, "NExpert = 4"),
            (ok with { AttentionSinks = true }, "AttentionSinks"),
            (ok with { SlidingWindow = 16 }, "SlidingWindow = 16"),
        ];
        foreach (var (config, field) in cases)
        {
            config.Validate(); // valid for counting
            var e = Assert.Throws<NotSupportedException>(() => config.ValidateRunnable());
            Assert.Contains(field, e.Message);
            Assert.Contains("cannot be run", e.Message);
            Assert.Throws<NotSupportedException>(() => GptModel.FromWeights(config, new Dictionary<string, float[]>()));
        }
    }

    [Fact]
    public void Grouped_query_attention_swiglu_and_experts_shape_the_tensors()
    {
        // nHead 8, nKvHead 2, dHead 16, dModel 128: c_attn (8 + 2·2)·16 = 192 rows; SwiGLU c_fc 2·dFf rows.
        var c = new GptConfig { NLayer = 1, NHead = 8, NKvHead = 2, DModel = 128, DFf = 64, Mlp = MlpKind.SwiGlu, Bias = false };
        var t = c.Tensors().ToDictionary(x => x.Name, x => x.ShapeText);
        Assert.Equal("[192, 128]", t["h.0.attn.c_attn.weight"]);
        Assert.Equal("[128, 128]", t["h.0.attn.c_proj.weight"]);
        Assert.Equal("[128, 128]", t["h.0.mlp.c_fc.weight"]);  // [2·dFf, dModel]
        Assert.Equal("[128, 64]", t["h.0.mlp.c_proj.weight"]);
        var moe = c with { NExpert = 4, NExpertPerToken = 1, AttentionSinks = true };
        var m = moe.Tensors().ToDictionary(x => x.Name, x => x.ShapeText);
        Assert.Equal("[4, 128]", m["h.0.mlp.router.weight"]);
        Assert.Equal("[4, 128, 128]", m["h.0.mlp.experts.c_fc.weight"]);
        Assert.Equal("[4, 128, 64]", m["h.0.mlp.experts.c_proj.weight"]);
        Assert.Equal("[8]", m["h.0.attn.sinks"]);
        Assert.DoesNotContain("h.0.mlp.c_fc.weight", m.Keys);
        var count = moe.CountParameters();
        Assert.Equal(4L * 128 + 4 * 3 * 128 * 64, count.Router + count.MlpWeights);
        Assert.Equal(8, count.AttentionSinks);
        Assert.Equal(3L * 128 * 64, count.PerExpert);
        // 3 of 4 experts skipped; wpe is an embedding; the tied wte is the unembedding, so it counts
        Assert.Equal(count.Total - 128L * 128 - 3L * 128 * 64 * 3, count.Active);
        Assert.Contains(count.Groups, g => g.Component == "router" && g.Formula == "nLayer·nExpert·dModel");
        Assert.Contains(count.Groups, g => g.Formula == "nLayer·nExpert·3·dModel·dFf");
        Assert.Contains("2 KV heads", moe.Describe());
        Assert.Contains("4 experts (top-1)", moe.Describe());
    }
}
