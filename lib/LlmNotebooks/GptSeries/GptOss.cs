using LlmNotebooks.Gpt;

namespace LlmNotebooks.GptSeries;

/// <summary>One row of the gpt-oss model card's Table 1 (parameter counts), as printed in billions.</summary>
/// <param name="Component">"MLP", "Attention", "Embed + Unembed", "Active parameters" or "Total parameters".</param>
/// <param name="Gpt120bBillions">gpt-oss-120b as printed (e.g. 114.71).</param>
/// <param name="Gpt20bBillions">gpt-oss-20b as printed (e.g. 19.12).</param>
public sealed record GptOssCardRow(string Component, double Gpt120bBillions, double Gpt20bBillions)
{
    /// <summary>Half a unit of the printed last digit (two decimals in billions): 5e6 parameters.</summary>
    public const double HalfUnit = 0.005e9;

    /// <summary>Whether an exact count rounds to the printed value: |count − printed·1e9| ≤ <see cref="HalfUnit"/>.</summary>
    /// <param name="count">Exact count.</param>
    /// <param name="printedBillions">The printed value, in billions.</param>
    public static bool Agrees(long count, double printedBillions) => Math.Abs(count - printedBillions * 1e9) <= HalfUnit;
}

/// <summary>Our count of a gpt-oss model grouped the way its model card's Table 1 groups it.</summary>
/// <param name="Mlp">Experts, router and the MLP's RMSNorm (ln_2) of every layer.</param>
/// <param name="Attention">c_attn (qkv), c_proj (out), sinks and the attention RMSNorm (ln_1) of every layer.</param>
/// <param name="EmbedUnembed">wte + lm_head (untied).</param>
/// <param name="Active">Parameters one token passes through (<see cref="GptParameterCount.Active"/>).</param>
/// <param name="Total">Every parameter (the three groups plus the final norm).</param>
public sealed record GptOssBreakdown(long Mlp, long Attention, long EmbedUnembed, long Active, long Total)
{
    /// <summary>The five values in the order of <see cref="GptOss.ModelCardTable1"/>.</summary>
    public IReadOnlyList<long> InCardOrder => [Mlp, Attention, EmbedUnembed, Active, Total];
}

/// <summary>
/// gpt-oss-120b and gpt-oss-20b, OpenAI's open-weight mixture-of-experts models (released 2025-08-05, Apache 2.0), as
/// configs with sources, and the model card's published parameter counts (OpenAI 2025, "gpt-oss-120b &amp; gpt-oss-20b
/// Model Card", arXiv:2508.10925).
/// </summary>
/// <remarks>
/// Shape (reference implementation openai/gpt-oss gpt_oss/torch/model.py, ModelConfig and the modules; model card §2):
/// dModel 2880; 64 query heads of 64 and 8 key/value heads (GQA); qkv and out projections with biases; one learned sink
/// logit per head; RMSNorm (ε 1e-5) before attention and MLP and at the end (Pre-LN); a router [nExpert, 2880] with bias
/// picking the top 4 experts; each expert a gated SwiGLU with mlp1 [5760, 2880] and mlp2 [2880, 2880], with biases;
/// a 128-token banded window on even layers, dense attention on odd ones; RoPE (θ 150,000, YaRN ×32) to 131,072 tokens;
/// vocabulary 201,088 (o200k_harmony); separate embedding and unembedding (no bias). The two sizes differ only in
/// layers (36 vs 24) and experts per layer (128 vs 32). The C# model cannot run them (<see cref="GptConfig.ValidateRunnable"/>).
/// </remarks>
public static class GptOss
{
    /// <summary>arXiv identifier of the model card.</summary>
    public const string ModelCardArxivId = "2508.10925";

    /// <summary>Caption of card Table 1 on what "active" counts: "Unembedding parameters are counted towards active, but not embeddings."</summary>
    public const string ActiveConvention = "Unembedding parameters are counted towards active, but not embeddings.";

    /// <summary>Bits per MoE weight in MXFP4 as the card states it (§2.1: "4.25 bits per parameter"); the other weights are bf16.</summary>
    public const double MxFp4BitsPerParameter = 4.25;

    /// <summary>Pre-training compute of gpt-oss-120b: 2.1 million H100-hours (card §2.4); the 20b "almost 10x fewer".</summary>
    public const double Gpt120bH100Hours = 2.1e6;

    /// <summary>gpt-oss-120b: 36 layers, 128 experts per layer. 116,829,156,672 parameters, 5,132,849,472 active.</summary>
    public static GptConfig Gpt120b { get; } = Config("gpt-oss-120b", nLayer: 36, nExpert: 128);

    /// <summary>gpt-oss-20b: 24 layers, 32 experts per layer. 20,914,757,184 parameters, 3,608,307,264 active.</summary>
    public static GptConfig Gpt20b { get; } = Config("gpt-oss-20b", nLayer: 24, nExpert: 32);

    /// <summary>Both sizes, larger first.</summary>
    public static IReadOnlyList<GptConfig> Models { get; } = [Gpt120b, Gpt20b];

    /// <summary>Card Table 1 as printed, in billions: MLP, Attention, Embed + Unembed, Active, Total.</summary>
    public static IReadOnlyList<GptOssCardRow> ModelCardTable1 { get; } =
    [
        new("MLP", 114.71, 19.12),
        new("Attention", 0.96, 0.64),
        new("Embed + Unembed", 1.16, 1.16),
        new("Active parameters", 5.13, 3.61),
        new("Total parameters", 116.83, 20.91),
    ];

    /// <summary>How the repository's README rounds them: "117B parameters with 5.1B active", "21B parameters with 3.6B active"
    /// (openai/gpt-oss README.md), keyed by model name.</summary>
    public static IReadOnlyDictionary<string, (double TotalBillions, double ActiveBillions)> ReadmeSizes { get; } =
        new Dictionary<string, (double, double)> { ["gpt-oss-120b"] = (117, 5.1), ["gpt-oss-20b"] = (21, 3.6) };

    /// <summary>Our exact count of <paramref name="config"/>, grouped as the card's Table 1.</summary>
    /// <param name="config">A gpt-oss-shaped config (Pre-LN with a final norm, untied head).</param>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    public static GptOssBreakdown Breakdown(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.CountParameters();
        long perNorm = config.NormTensors("norm").Where(t => t.Trained).Sum(t => t.Count);
        long blockNorms = config.NLayer * perNorm; // ln_1 (or ln_2) over all layers
        return new GptOssBreakdown(
            Mlp: c.MlpWeights + c.MlpBiases + c.Router + blockNorms,
            Attention: c.AttentionWeights + c.AttentionBiases + c.AttentionSinks + blockNorms,
            EmbedUnembed: c.TokenEmbedding + c.OutputHead,
            Active: c.Active,
            Total: c.Total);
    }

    /// <summary>
    /// Checkpoint bytes with the card's quantization: the expert weight matrices (<see cref="GptParameterCount.MlpWeights"/>)
    /// in MXFP4 at 4.25 bits, every other parameter in bf16 (2 bytes). gpt-oss-120b: about 65 GB, which is why it fits one
    /// 80 GB GPU (card §2.1).
    /// </summary>
    /// <param name="config">The model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    public static long QuantizedCheckpointBytes(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.CountParameters();
        return ModelMemory.WeightBytes(c.MlpWeights, MxFp4BitsPerParameter)
            + ModelMemory.WeightBytes(c.Total - c.MlpWeights, NumericPrecision.Fp16);
    }

    private static GptConfig Config(string name, int nLayer, int nExpert) => new GptConfig
    {
        Name = name, NLayer = nLayer, DModel = 2880, NHead = 64, NKvHead = 8, DHead = 64, NCtx = 131_072, VocabSize = 201_088,
        DFf = 2880, Mlp = MlpKind.SwiGlu, NExpert = nExpert, NExpertPerToken = 4, AttentionSinks = true,
        SlidingWindow = 128, SlidingWindowLayers = SlidingWindowLayers.Even,
        Placement = NormPlacement.PreLN, Norm = NormKind.RMSNorm, FinalNorm = true, NormEpsilon = 1e-5,
        Positions = PositionalScheme.Rope, TiedEmbeddings = false, Bias = true,
        Source = $"OpenAI, gpt-oss model card, arXiv:{ModelCardArxivId} §2 ({nLayer} layers, {nExpert} experts, top-4, " +
                 "residual 2880, GQA 64 query / 8 KV heads of 64, 128-token bands on alternate layers, 131,072 context, " +
                 "o200k_harmony 201,088); openai/gpt-oss gpt_oss/torch/model.py (tensor shapes, biases, sinks, layer_idx % 2 == 0)",
    }.Validate();
}
