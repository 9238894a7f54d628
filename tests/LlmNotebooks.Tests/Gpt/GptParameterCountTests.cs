using System.Text.Json;
using CsCheck;
using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.Gpt;

public class GptParameterCountTests
{
    // Hugging Face transformers: OpenAIGPTModel / GPT2Model .num_parameters() of the released checkpoints
    // (openai-community/openai-gpt, gpt2, gpt2-medium, gpt2-large, gpt2-xl).
    [Theory]
    [InlineData("openai-gpt", 116_534_784L)]
    [InlineData("gpt2", 124_439_808L)]
    [InlineData("gpt2-medium", 354_823_168L)]
    [InlineData("gpt2-large", 774_030_080L)]
    [InlineData("gpt2-xl", 1_557_611_200L)]
    public void Released_checkpoints_are_reproduced_exactly(string name, long expected)
    {
        var config = GptModels.Released.Single(c => c.Name == name);
        Assert.Equal(expected, config.CountParameters().Total);
        Assert.Equal(expected, GptModels.ReleasedParameterCounts[name]);
    }

    [Fact]
    public void Gpt2_small_breakdown_by_hand()
    {
        // V = 50257, n = 1024, d = 768, L = 12, f = 3072.
        var c = GptModels.Gpt2.CountParameters();
        Assert.Equal(50257L * 768, c.TokenEmbedding);            // 38,597,376
        Assert.Equal(1024L * 768, c.PositionEmbedding);          // 786,432
        Assert.Equal(12L * 4 * 768 * 768, c.AttentionWeights);   // 28,311,552
        Assert.Equal(12L * 4 * 768, c.AttentionBiases);          // 36,864
        Assert.Equal(12L * 2 * 768 * 3072, c.MlpWeights);        // 56,623,104
        Assert.Equal(12L * (3072 + 768), c.MlpBiases);           // 46,080
        Assert.Equal(25L * 2 * 768, c.Norms);                    // 24 block LNs + ln_f, γ and β: 38,400
        Assert.Equal(0, c.OutputHead);                           // tied to wte
        Assert.Equal(124_439_808, c.Total);
        Assert.Equal(12L * 12 * 768 * 768, c.KaplanApproximation); // 12·L·d² = 84,934,656
    }

    [Fact]
    public void Gpt2_small_decay_split_matches_nanoGPT_log()
    {
        // nanoGPT train.py, init_from='gpt2' (configure_optimizers prints):
        //   "num decayed parameter tensors: 50, with 124,318,464 parameters"
        //   "num non-decayed parameter tensors: 98, with 121,344 parameters"
        // and model.py get_num_params() (excludes wpe): "number of parameters: 123.65M".
        var count = GptModels.Gpt2.CountParameters();
        var tensors = GptModels.Gpt2.Tensors();
        var matrices = tensors.Where(t => t.Shape.Count >= 2).ToArray();
        var vectors = tensors.Where(t => t.Shape.Count < 2).ToArray();
        Assert.Equal(50, matrices.Length);
        Assert.Equal(124_318_464, matrices.Sum(t => t.Count));
        Assert.Equal(98, vectors.Length);
        Assert.Equal(121_344, vectors.Sum(t => t.Count));
        Assert.Equal(123.65, Math.Round((count.Total - count.PositionEmbedding) / 1e6, 2));
    }

    [Fact]
    public void Gpt2_tensor_names_and_shapes_follow_the_checkpoint()
    {
        // GPT2LMHeadModel.from_pretrained("gpt2").state_dict(), first block. Its Conv1D stores [in, out]; our list states
        // [out, in] (torch nn.Linear), so the block's matrices are compared transposed.
        var tensors = GptModels.Gpt2.Tensors();
        (string, string)[] expected =
        [
            ("wte.weight", "[50257, 768]"), ("wpe.weight", "[1024, 768]"),
            ("h.0.ln_1.weight", "[768]"), ("h.0.ln_1.bias", "[768]"),
            ("h.0.attn.c_attn.weight", "[768, 2304]"), ("h.0.attn.c_attn.bias", "[2304]"),
            ("h.0.attn.c_proj.weight", "[768, 768]"), ("h.0.attn.c_proj.bias", "[768]"),
            ("h.0.ln_2.weight", "[768]"), ("h.0.ln_2.bias", "[768]"),
            ("h.0.mlp.c_fc.weight", "[768, 3072]"), ("h.0.mlp.c_fc.bias", "[3072]"),
            ("h.0.mlp.c_proj.weight", "[3072, 768]"), ("h.0.mlp.c_proj.bias", "[768]"),
        ];
        Assert.Equal(expected, tensors.Take(expected.Length).Select(t =>
            (t.Name, t.Name.StartsWith("h.", StringComparison.Ordinal) && t.Shape.Count == 2 ? "[" + string.Join(", ", t.Shape.Reverse()) + "]" : t.ShapeText)));
        Assert.Equal("[2304, 768]", tensors.Single(t => t.Name == "h.0.attn.c_attn.weight").ShapeText);
        Assert.Equal(["ln_f.weight", "ln_f.bias"], tensors.TakeLast(2).Select(t => t.Name));
        Assert.Equal(2 + 12 * 12 + 2, tensors.Count);
        Assert.Equal(tensors.Count, tensors.Select(t => t.Name).Distinct().Count());
    }

    // openai/finetune-transformer-lm, model/params_shapes.json: the shapes of the released GPT-1 weights
    // (wpe, wte, then per block c_attn w/b, c_proj w/b, ln_1 g/b, c_fc w/b, c_proj w/b, ln_2 g/b; 1-D convolutions
    // are stored [1, in, out]). Nothing follows the 12th block: GPT-1 has no final LayerNorm.
    private const string Gpt1ParamsShapesJson =
        "[[512, 768], [40478, 768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768], " +
        "[1, 768, 2304], [2304], [1, 768, 768], [768], [768], [768], [1, 768, 3072], [3072], [1, 3072, 768], [768], [768], [768]]";

    [Fact]
    public void Gpt1_tensors_match_the_released_params_shapes()
    {
        var released = JsonSerializer.Deserialize<int[][]>(Gpt1ParamsShapesJson)!
            .Select(s => s.Length == 3 && s[0] == 1 ? s[1..] : s)   // drop the conv1d kernel width
            .Select(s => string.Join(",", s))
            .ToArray();
        // Ours are [out, in] (torch nn.Linear); the released Conv1D weights are [in, out]: compare transposed.
        var ours = GptModels.OpenAiGpt.Tensors().Select(t => string.Join(",", t.Shape.Count == 2 && t.Name.StartsWith("h.", StringComparison.Ordinal) ? t.Shape.Reverse() : t.Shape)).ToArray();

        Assert.Equal(146, released.Length);
        Assert.Equal(released.Length, ours.Length);
        Assert.Equal(released[..2].Order(), ours[..2].Order());  // released: wpe, wte; ours: wte, wpe
        Assert.Equal(released[2..], ours[2..]);                  // every block in Post-LN order, no ln_f
        long releasedTotal = JsonSerializer.Deserialize<int[][]>(Gpt1ParamsShapesJson)!.Sum(s => s.Aggregate(1L, (a, x) => a * x));
        Assert.Equal(116_534_784, releasedTotal);
    }

    [Fact]
    public void Gpt1_has_no_final_layernorm_and_is_post_ln()
    {
        var c = GptModels.OpenAiGpt.CountParameters();
        Assert.Equal(24L * 2 * 768, c.Norms);
        Assert.DoesNotContain(GptModels.OpenAiGpt.Tensors(), t => t.Name.StartsWith("ln_f", StringComparison.Ordinal));
        // with ln_f it would be 2·768 more, 116,536,320 — the count one gets by wrongly assuming GPT-2's layout
        var withLnF = GptModels.OpenAiGpt with { Name = "gpt-1 + ln_f", FinalNorm = true };
        Assert.Equal(116_536_320, withLnF.CountParameters().Total);
    }

    [Fact]
    public void Gpt2_paper_table2_sizes_were_below_the_released_counts()
    {
        // Table 2 (117M/345M/762M/1542M) vs the checkpoints (model card: 124M/355M/774M/1.5B).
        foreach (var (name, paper) in GptModels.Gpt2PaperTable2Parameters)
        {
            long released = GptModels.Released.Single(c => c.Name == name).CountParameters().Total;
            Assert.InRange(released - paper, 7_000_000, 16_000_000);
        }
    }

    [Fact]
    public void Untied_head_adds_one_vocabulary_matrix()
    {
        var untied = GptModels.Gpt2 with { Name = "gpt2 untied", TiedEmbeddings = false };
        var c = untied.CountParameters();
        Assert.Equal(124_439_808 + 50257L * 768, c.Total); // 163,037,184
        Assert.Equal(50257L * 768, c.OutputHead);
        Assert.Equal("lm_head.weight", untied.Tensors()[^1].Name);
        Assert.Equal(GptModels.Gpt2.CountParameters().NonEmbedding, c.NonEmbedding);
    }

    [Fact]
    public void No_bias_config_counts_only_layernorm_gains()
    {
        // nanoGPT GPTConfig(bias=False) on GPT-2 small shapes: 124,439,808 − 36,864 − 46,080 − 25·768.
        var noBias = GptModels.Gpt2 with { Name = "gpt2 bias=False", Bias = false };
        var c = noBias.CountParameters();
        Assert.Equal(124_439_808 - 36_864 - 46_080 - 25 * 768, c.Total);
        Assert.Equal(0, c.Biases);
        Assert.DoesNotContain(noBias.Tensors(), t => t.Name.EndsWith(".bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Norm_kinds_change_only_the_norm_group()
    {
        // GPT-2 small shapes, 25 norms of d = 768: LayerNorm γ, β = 38,400; RMSNorm γ only (Zhang and Sennrich 2019: no
        // re-centering, no bias) = 19,200; BatchNorm γ, β = 38,400 plus running statistics that are not parameters; none = 0.
        long others = 124_439_808 - 38_400;
        Assert.Equal(others + 19_200, (GptModels.Gpt2 with { Norm = NormKind.RMSNorm }).ParameterCount);
        Assert.Equal(others + 38_400, (GptModels.Gpt2 with { Norm = NormKind.BatchNorm }).ParameterCount);
        Assert.Equal(others, (GptModels.Gpt2 with { Norm = NormKind.None }).ParameterCount);
        Assert.Equal("RMSNorms (γ)", (GptModels.Gpt2 with { Norm = NormKind.RMSNorm }).CountParameters().Groups[6].Component);
        Assert.Equal("(2·nLayer + 1)·dModel", (GptModels.Gpt2 with { Norm = NormKind.RMSNorm }).CountParameters().Groups[6].Formula);
        Assert.Equal(0, (GptModels.Gpt2 with { Norm = NormKind.RMSNorm }).CountParameters().Biases - 12 * (4 * 768 + 3072 + 768));
        // sinusoidal and rotary positions have no wpe
        Assert.Equal(124_439_808 - 1024 * 768, (GptModels.Gpt2 with { Positions = PositionalScheme.Rope }).ParameterCount);
    }

    private static readonly Gen<GptConfig> GenConfig =
        from nLayer in Gen.Int[1, 64]
        from nHead in Gen.Int[1, 32]
        from dHead in Gen.Int[1, 256]
        from nCtx in Gen.Int[1, 8192]
        from vocab in Gen.Int[1, 300_000]
        from ff in Gen.Int[0, 4096]
        from placement in Gen.Enum<NormPlacement>()
        from norm in Gen.Enum<NormKind>()
        from positions in Gen.Enum<PositionalScheme>()
        from lnf in Gen.Bool
        from tied in Gen.Bool
        from bias in Gen.Bool
        select new GptConfig
        {
            Name = "random", NLayer = nLayer, DModel = nHead * dHead * 2, NHead = nHead, NCtx = nCtx, VocabSize = vocab,
            Placement = placement, Norm = placement == NormPlacement.DeepNorm && norm == NormKind.None ? NormKind.LayerNorm : norm,
            Positions = positions, FinalNorm = lnf, DFf = ff == 0 ? 4 * nHead * dHead * 2 : ff, TiedEmbeddings = tied, Bias = bias,
        };

    [Fact]
    public void Groups_tensors_and_total_agree_for_any_config()
    {
        GenConfig.Sample(config =>
        {
            var c = config.CountParameters();
            Assert.Equal(c.Total, c.Groups.Sum(g => g.Count));
            Assert.Equal(c.Total, config.Tensors().Where(t => t.Trained).Sum(t => t.Count));
            Assert.Equal(1.0, c.Groups.Sum(g => g.Fraction), 1e-12);
            // Kaplan's 2·d·L·(2d + f) counts exactly the weight matrices of the blocks: the rest is biases and LayerNorms.
            Assert.Equal(c.AttentionWeights + c.MlpWeights, c.KaplanApproximation);
            Assert.Equal(c.AttentionBiases + c.MlpBiases + c.Norms, c.NonEmbedding - c.KaplanApproximation);
        }, iter: 300);
    }

    // Grouped-query attention, a free head width, SwiGLU, experts, sinks and windows on top of the GPT generator.
    private static readonly Gen<GptConfig> GenExtended =
        from config in GenConfig
        from shift in Gen.Int[0, 3]
        from dHead in Gen.Int[0, 48]
        from swiglu in Gen.Bool
        from experts in Gen.Int[0, 16]
        from perToken in Gen.Int[1, 16]
        from sinks in Gen.Bool
        from window in Gen.Int[0, 300]
        from even in Gen.Bool
        select config with
        {
            NKvHead = Math.Max(1, config.NHead >> shift) is var kv && config.NHead % kv == 0 ? kv : config.NHead,
            DHead = dHead == 0 ? config.DModel / config.NHead : 2 * dHead, // even, for RoPE
            Mlp = swiglu ? MlpKind.SwiGlu : MlpKind.Gelu,
            NExpert = experts, NExpertPerToken = experts == 0 ? 0 : Math.Min(perToken, experts),
            AttentionSinks = sinks, SlidingWindow = window,
            SlidingWindowLayers = window > 0 && even ? SlidingWindowLayers.Even : SlidingWindowLayers.All,
        };

    [Fact]
    public void Extended_configs_count_their_tensors_and_active_parameters()
    {
        GenExtended.Sample(config =>
        {
            var c = config.CountParameters();
            Assert.Equal(c.Total, c.Groups.Sum(g => g.Count));
            Assert.Equal(c.Total, config.Tensors().Where(t => t.Trained).Sum(t => t.Count));
            Assert.InRange(c.Active, 1, c.Total);
            long head = config.TiedEmbeddings ? 0 : c.TokenEmbedding;
            if (!config.IsMixtureOfExperts) Assert.Equal(c.Total - c.PositionEmbedding - head, c.Active);
            else
            {
                // every routed expert adds one PerExpert per layer
                var more = config with { NExpertPerToken = config.NExpertPerToken == config.NExpert ? config.NExpertPerToken : config.NExpertPerToken + 1 };
                long step = more.NExpertPerToken - config.NExpertPerToken;
                Assert.Equal(c.Active + step * config.NLayer * c.PerExpert, more.CountParameters().Active);
                Assert.Equal(c.MlpWeights + c.MlpBiases, config.NLayer * config.NExpert * c.PerExpert);
            }
            // Grouped-query attention shrinks only k and v: c_attn + c_proj = L·(nHead + 2·nKvHead + nHead)·dHead·dModel.
            Assert.Equal((long)config.NLayer * (2L * config.NHead + 2L * config.NKvHead) * config.DHead * config.DModel, c.AttentionWeights);
            Assert.Equal(config, GptConfig.FromJson(config.ToJson()));
        }, iter: 300);
    }

    [Fact]
    public void Head_split_does_not_change_the_count()
    {
        GenConfig.Sample(config =>
        {
            var oneHead = config with { Name = "1 head", NHead = 1, DFf = config.DFf };
            Assert.Equal(oneHead.CountParameters().Total, config.CountParameters().Total);
        }, iter: 200);
    }

    [Fact]
    public void Count_that_overflows_int64_is_rejected()
    {
        var huge = new GptConfig { Name = "huge", NLayer = int.MaxValue, DModel = GptConfig.MaxDModel, NHead = 1, NCtx = 1, VocabSize = 1 };
        var e = Assert.Throws<ArgumentException>(() => huge.CountParameters());
        Assert.Equal("config", e.ParamName);
    }
}
