using System.Globalization;
using System.Text.Json.Serialization;

namespace LlmNotebooks.Gpt;

/// <summary>Where each block normalizes relative to its residual connections (Xiong et al. 2020, arXiv:2002.04745, Fig. 1).</summary>
public enum NormPlacement
{
    /// <summary>Pre-LN (GPT-2 §2.3, GPT-3, Llama): x + Attn(LN₁(x)), then x + MLP(LN₂(x)); a final norm ln_f before the head.</summary>
    PreLN,

    /// <summary>Post-LN (Vaswani et al. 2017, GPT-1, BERT): LN₁(x + Attn(x)), then LN₂(x + MLP(x)); no final norm.</summary>
    PostLN,

    /// <summary>Post-LN with DeepNorm's residual scale (Wang et al. 2022, arXiv:2203.00555, Fig. 2): LN(α·x + G(x)),
    /// α = (2N)^(1/4) for an N-block decoder (<see cref="Gpt.DeepNorm"/>); no final norm.</summary>
    DeepNorm,
}

/// <summary>Which normalization every norm of the model (ln_1, ln_2, ln_f) computes.</summary>
public enum NormKind
{
    /// <summary>LayerNorm (Ba et al. 2016, arXiv:1607.06450): per token, (x − μ)/√(σ² + ε)·γ + β, biased σ² over dModel (torch.nn.LayerNorm).</summary>
    LayerNorm,

    /// <summary>RMSNorm (Zhang and Sennrich 2019, arXiv:1910.07467): per token, x/√(mean(x²) + ε)·γ; no re-centering, no β.</summary>
    RMSNorm,

    /// <summary>BatchNorm (Ioffe and Szegedy 2015, arXiv:1502.03167) over (batch, time) per channel: batch statistics in
    /// train mode, running_mean/running_var (momentum 0.1, unbiased variance) in eval mode (torch.nn.BatchNorm1d).</summary>
    BatchNorm,

    /// <summary>No normalization (the baseline question 5 trains): the norms are identities and have no tensors.</summary>
    None,
}

/// <summary>How the model knows token positions (the schemes of question 1).</summary>
public enum PositionalScheme
{
    /// <summary>A learned table wpe [nCtx, dModel] added to the token embeddings (GPT-1/2/3).</summary>
    Learned,

    /// <summary>The fixed sinusoidal table of Vaswani et al. 2017 §3.5 added to the token embeddings (no weights).</summary>
    Sinusoidal,

    /// <summary>Rotary embeddings (Su et al. 2021, arXiv:2104.09864) on q and k in every layer; interleaved pairs, base 10000.</summary>
    Rope,
}

/// <summary>What each block's feed-forward layer computes.</summary>
public enum MlpKind
{
    /// <summary>GELU MLP (GPT-1/2/3, nanoGPT): c_proj(GELU(c_fc(x))), c_fc [dFf, dModel], c_proj [dModel, dFf].</summary>
    Gelu,

    /// <summary>Gated SwiGLU (Shazeer 2020, arXiv:2002.05202, Eq. 6): c_proj(SiLU(x·W) ⊙ (x·V)); c_fc [2·dFf, dModel] holds
    /// both halves (gpt-oss: mlp1_weight, halves interleaved; its variant clamps at 7, uses SiLU with α = 1.702 and adds 1 to
    /// the linear half, gpt_oss/torch/model.py swiglu), c_proj [dModel, dFf].</summary>
    SwiGlu,
}

/// <summary>Which layers use the banded (sliding-window) attention when <see cref="GptConfig.SlidingWindow"/> &gt; 0.</summary>
public enum SlidingWindowLayers
{
    /// <summary>Every layer attends to the last SlidingWindow tokens only.</summary>
    All,

    /// <summary>Layers 0, 2, 4, … slide; odd layers attend to the whole context (gpt-oss: gpt_oss/torch/model.py
    /// AttentionBlock, "sliding_window if layer_idx % 2 == 0 else 0"; model card arXiv:2508.10925 §2.2, "alternate between
    /// banded window and fully dense patterns").</summary>
    Even,
}

/// <summary>One tensor of a GPT checkpoint, as the model stores it.</summary>
/// <param name="Name">GPT-2 / nanoGPT name, e.g. "h.0.attn.c_attn.weight" (openai-gpt calls wte/wpe tokens_embed/positions_embed).</param>
/// <param name="Shape">Outermost first. Linear weights are [out, in] (torch nn.Linear, nanoGPT, our safetensors);
/// GPT-2's TensorFlow and Hugging Face Conv1D checkpoints store the transpose [in, out]. Vectors are [n]. Stacked
/// expert weights are [nExpert, out, in] (gpt-oss mlp1_weight / mlp2_weight).</param>
/// <param name="Trained">True for a parameter; false for a running statistic (BatchNorm's running_mean, running_var).</param>
public sealed record CheckpointTensor(string Name, IReadOnlyList<int> Shape, bool Trained = true)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public long Count => Shape.Aggregate(1L, (a, s) => checked(a * s));

    /// <summary>The shape written as "[50257, 768]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The shape of a decoder-only GPT (Radford et al. 2018/2019; nanoGPT's GPTConfig): nLayer blocks of causal multi-head
/// self-attention (nHead heads of dHead = dModel/nHead) and a dFf-wide GELU MLP, a context of nCtx tokens, vocabSize
/// tokens. One type runs the C# model, trains the TorchSharp one and counts GPT-1/2/3 and gpt-oss (GptSeries).
/// For counting it also describes grouped-query attention (nKvHead), a free head width (dHead), SwiGLU, mixture-of-experts
/// MLPs (nExpert, nExpertPerToken), attention sinks and sliding-window layers; the C# and TorchSharp models run only the
/// GPT-2 family (<see cref="ValidateRunnable"/> says which field is not supported).
/// Defaults are the shipped models/tiny-gpt. Call <see cref="Validate"/> (every consumer does) before use.
/// Stored as config.json (<see cref="ToJson"/>); names follow GPT-2's config (n_layer, n_head, n_embd = dModel, n_positions = nCtx).
/// </summary>
public sealed partial record GptConfig
{
    private readonly int? _dFf;
    private readonly bool? _finalNorm;
    private readonly int? _nKvHead;
    private readonly int? _dHead;

    /// <summary>Largest accepted dModel, int.MaxValue / 4, so that every tensor dimension (4·dModel) fits in an Int32.</summary>
    public const int MaxDModel = int.MaxValue / 4;

    /// <summary>Display name, e.g. "gpt2-medium"; may be empty.</summary>
    public string Name { get; init; } = "";

    /// <summary>Number of Transformer blocks (n_layer); ≥ 1.</summary>
    public int NLayer { get; init; } = 4;

    /// <summary>Number of attention (query) heads (n_head); ≥ 1; divides dModel unless <see cref="DHead"/> is set.</summary>
    public int NHead { get; init; } = 4;

    /// <summary>Key/value heads (num_key_value_heads); divides nHead; nHead unless set (multi-head attention). 1 is multi-query
    /// attention (Shazeer 2019, arXiv:1911.02150), 1 &lt; nKvHead &lt; nHead grouped-query attention (Ainslie et al. 2023,
    /// arXiv:2305.13245): nHead / nKvHead query heads share each key and value head. gpt-oss: 64 query heads, 8 KV heads.</summary>
    [JsonIgnore] public int NKvHead { get => _nKvHead ?? NHead; init => _nKvHead = value; }

    /// <summary>Width of the residual stream (n_embd); in [1, <see cref="MaxDModel"/>].</summary>
    public int DModel { get; init; } = 128;

    /// <summary>Context length in tokens (n_positions): rows of wpe; ≥ 1.</summary>
    public int NCtx { get; init; } = 128;

    /// <summary>Vocabulary size: rows of wte; ≥ 1.</summary>
    public int VocabSize { get; init; } = 4096;

    /// <summary>Inner width of the MLP (c_fc output); ≥ 1; 4·dModel unless set (Vaswani et al. 2017 §3.3; GPT-3 §2.1).</summary>
    public int DFf { get => _dFf ?? 4 * DModel; init => _dFf = value; }

    /// <summary>Pre-LN, Post-LN or DeepNorm.</summary>
    public NormPlacement Placement { get; init; } = NormPlacement.PreLN;

    /// <summary>LayerNorm, RMSNorm, BatchNorm or None.</summary>
    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    /// <summary>Whether a final norm ln_f follows the last block; true for Pre-LN unless set (GPT-2/3: yes; GPT-1: no); no tensors when Norm is None.</summary>
    public bool FinalNorm { get => _finalNorm ?? Placement == NormPlacement.PreLN; init => _finalNorm = value; }

    /// <summary>Learned, sinusoidal or rotary positions.</summary>
    public PositionalScheme Positions { get; init; } = PositionalScheme.Learned;

    /// <summary>True: the head reuses wte (Press and Wolf 2017, arXiv:1608.05859; GPT-1/2/3); false: a separate lm_head [vocabSize, dModel].</summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>True: every linear layer and norm has a bias β (all GPT checkpoints); false: none (nanoGPT bias=False). RMSNorm never has one.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>ε inside every norm's square root; finite and &gt; 0. Default 1e-5 (torch LayerNorm and BatchNorm; Llama 2's rms_norm_eps).</summary>
    public double NormEpsilon { get; init; } = 1e-5;

    /// <summary>Where the numbers come from (paper + table, or the released config.json); may be empty.</summary>
    public string Source { get; init; } = "";

    /// <summary>Width of one attention head (head_dim); ≥ 1; dModel / nHead unless set. gpt-oss sets 64 with 64 heads, so its
    /// queries are 4096 wide while dModel is 2880 (model card arXiv:2508.10925 §2.2; gpt_oss/torch/model.py ModelConfig).</summary>
    [JsonIgnore] public int DHead { get => _dHead ?? (NHead > 0 ? DModel / NHead : 0); init => _dHead = value; }

    /// <summary>What each MLP computes: GELU (GPT) or gated SwiGLU (Llama, gpt-oss).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public MlpKind Mlp { get; init; } = MlpKind.Gelu;

    /// <summary>Experts per MLP layer (num_experts); 0 (default) is a dense MLP, ≥ 1 a mixture of experts with a linear
    /// router [nExpert, dModel] (Shazeer et al. 2017, arXiv:1701.06538; Fedus et al. 2021, arXiv:2101.03961). gpt-oss-120b: 128.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NExpert { get; init; }

    /// <summary>Experts each token is routed to (experts_per_token, top-k); 0 with a dense MLP, in [1, nExpert] with experts.
    /// gpt-oss: 4, weighted by a softmax over the selected experts' router logits.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NExpertPerToken { get; init; }

    /// <summary>True: every layer has one learned logit per head (attn.sinks [nHead]) that joins each softmax row and is dropped
    /// after it, so a query may attend to nothing (gpt-oss sdpa; model card §2.2 "learned bias in the denominator").</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AttentionSinks { get; init; }

    /// <summary>Banded attention width in tokens (0 = every layer sees the whole context): a query at position i sees keys
    /// i − SlidingWindow + 1 … i (gpt-oss sdpa mask; 128 tokens). Which layers slide: <see cref="SlidingWindowLayers"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SlidingWindow { get; init; }

    /// <summary>Which layers use the sliding window: All, or Even (gpt-oss). Only with SlidingWindow &gt; 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public SlidingWindowLayers SlidingWindowLayers { get; init; }

    /// <summary>Whether the MLP is a mixture of experts (nExpert ≥ 1).</summary>
    [JsonIgnore] public bool IsMixtureOfExperts => NExpert > 0;

    /// <summary>Keys (or values) per position in one layer's cache: nKvHead · dHead (dModel for multi-head attention).</summary>
    [JsonIgnore] public int KvWidth => NKvHead * DHead;

    /// <summary>α multiplying the residual inside each norm: (2·nLayer)^(1/4) for DeepNorm, else 1.</summary>
    [JsonIgnore] public double ResidualScale => Placement == NormPlacement.DeepNorm ? Gpt.DeepNorm.Alpha(NLayer) : 1.0;

    /// <summary>Whether the model has a final norm with tensors (FinalNorm and a norm kind other than None).</summary>
    [JsonIgnore] public bool HasFinalNorm => FinalNorm && Norm != NormKind.None;

    /// <summary>Number of trainable parameters (tied embeddings counted once; running statistics are not parameters).</summary>
    /// <exception cref="ArgumentException">The config is invalid or the count overflows Int64.</exception>
    [JsonIgnore] public long ParameterCount => CountParameters().Total;

    /// <summary>Checks every field.</summary>
    /// <returns>This config.</returns>
    /// <exception cref="ArgumentNullException">Name or Source is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range (named in the message).</exception>
    public GptConfig Validate()
    {
        ArgumentNullException.ThrowIfNull(Name, nameof(Name));
        ArgumentNullException.ThrowIfNull(Source, nameof(Source));
        Guard.Positive(NLayer, nameof(NLayer));
        Guard.Positive(NHead, nameof(NHead));
        Guard.Positive(DModel, nameof(DModel));
        Guard.Positive(NCtx, nameof(NCtx));
        Guard.Positive(VocabSize, nameof(VocabSize));
        if (DModel > MaxDModel)
            throw new ArgumentOutOfRangeException(nameof(DModel), DModel, $"DModel must be ≤ {MaxDModel} (so 4·DModel fits in an Int32); got {DModel}.");
        Guard.Positive(DFf, nameof(DFf));
        if (_dHead is null && DModel % NHead != 0)
            throw new ArgumentOutOfRangeException(nameof(NHead), NHead, string.Create(CultureInfo.InvariantCulture,
                $"NHead must divide DModel = {DModel} unless DHead is set; got {NHead} (DModel / NHead = {(double)DModel / NHead:0.###})."));
        Guard.Positive(DHead, nameof(DHead));
        Guard.Positive(NKvHead, nameof(NKvHead));
        if (NKvHead > NHead || NHead % NKvHead != 0)
            throw new ArgumentOutOfRangeException(nameof(NKvHead), NKvHead,
                $"NKvHead must divide NHead = {NHead} (1 = multi-query, NHead = multi-head attention); got {NKvHead}.");
        if ((long)(NHead + 2L * NKvHead) * DHead > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(DHead), DHead,
                $"(NHead + 2·NKvHead)·DHead must fit in an Int32 (≤ {int.MaxValue}); got ({NHead} + 2·{NKvHead})·{DHead}.");
        if (!Enum.IsDefined(Mlp)) throw new ArgumentOutOfRangeException(nameof(Mlp), Mlp, "Mlp must be Gelu or SwiGlu.");
        if (Mlp == MlpKind.SwiGlu && DFf > int.MaxValue / 2)
            throw new ArgumentOutOfRangeException(nameof(DFf), DFf, $"DFf must be ≤ {int.MaxValue / 2} for SwiGLU (c_fc has 2·DFf rows); got {DFf}.");
        Guard.NonNegative(NExpert, nameof(NExpert));
        if (NExpert == 0 && NExpertPerToken != 0)
            throw new ArgumentOutOfRangeException(nameof(NExpertPerToken), NExpertPerToken, $"NExpertPerToken must be 0 with a dense MLP (NExpert 0); got {NExpertPerToken}.");
        if (NExpert > 0 && (NExpertPerToken < 1 || NExpertPerToken > NExpert))
            throw new ArgumentOutOfRangeException(nameof(NExpertPerToken), NExpertPerToken, $"NExpertPerToken must lie in [1, NExpert = {NExpert}]; got {NExpertPerToken}.");
        Guard.NonNegative(SlidingWindow, nameof(SlidingWindow));
        if (!Enum.IsDefined(SlidingWindowLayers))
            throw new ArgumentOutOfRangeException(nameof(SlidingWindowLayers), SlidingWindowLayers, "SlidingWindowLayers must be All or Even.");
        if (SlidingWindow == 0 && SlidingWindowLayers != SlidingWindowLayers.All)
            throw new ArgumentOutOfRangeException(nameof(SlidingWindowLayers), SlidingWindowLayers, "SlidingWindowLayers applies only with SlidingWindow > 0; got SlidingWindow 0.");
        if (!Enum.IsDefined(Placement)) throw new ArgumentOutOfRangeException(nameof(Placement), Placement, "Placement must be PreLN, PostLN or DeepNorm.");
        if (!Enum.IsDefined(Norm)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "Norm must be LayerNorm, RMSNorm, BatchNorm or None.");
        if (!Enum.IsDefined(Positions)) throw new ArgumentOutOfRangeException(nameof(Positions), Positions, "Positions must be Learned, Sinusoidal or Rope.");
        if (Placement == NormPlacement.DeepNorm && Norm == NormKind.None)
            throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "DeepNorm scales the residual inside a norm: Norm must not be None.");
        if (Positions == PositionalScheme.Sinusoidal && DModel % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(DModel), DModel, $"DModel must be even for sinusoidal positions; got {DModel}.");
        if (Positions == PositionalScheme.Rope && DHead % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(NHead), NHead, $"DModel / NHead must be even for RoPE; got {DModel} / {NHead} = {DHead}.");
        Guard.PositiveFinite(NormEpsilon, nameof(NormEpsilon));
        return this;
    }

    /// <summary>
    /// Checks that the C# model (<see cref="GptModel"/>) and the TorchSharp one can run this config: dense multi-head
    /// attention (nKvHead = nHead, nHead·dHead = dModel), a GELU MLP, no experts, no sinks, no sliding window.
    /// Configs such as gpt-oss are valid for counting (<see cref="CountParameters"/>, ModelMemory) but not runnable.
    /// </summary>
    /// <returns>This config.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid (<see cref="Validate"/>).</exception>
    /// <exception cref="NotSupportedException">A field the models cannot run; the message names it and its value.</exception>
    public GptConfig ValidateRunnable()
    {
        Validate();
        string? why =
            NKvHead != NHead ? $"NKvHead = {NKvHead} ≠ NHead = {NHead} (grouped-query attention)"
            : NHead * DHead != DModel ? $"NHead·DHead = {NHead}·{DHead} ≠ DModel = {DModel} (a head width set apart from dModel)"
            : Mlp != MlpKind.Gelu ? $"Mlp = {Mlp} (the models run the GELU MLP)"
            : NExpert > 0 ? $"NExpert = {NExpert} (mixture of experts)"
            : AttentionSinks ? "AttentionSinks = true"
            : SlidingWindow > 0 ? $"SlidingWindow = {SlidingWindow}"
            : null;
        if (why is not null)
            throw new NotSupportedException($"Config {(Name.Length > 0 ? Name : "(unnamed)")} cannot be run: {why}. GptModel and TorchGpt " +
                "run dense multi-head attention with a GELU MLP only; such configs are for counting (CountParameters, ModelMemory).");
        return this;
    }

    /// <summary>How many tokens layer <paramref name="layer"/> attends to (and caches): SlidingWindow on sliding layers, else nCtx.</summary>
    /// <exception cref="ArgumentOutOfRangeException">layer outside [0, nLayer).</exception>
    public int AttentionWindow(int layer)
    {
        if (layer < 0 || layer >= NLayer)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must lie in [0, NLayer = {NLayer}); got {layer}.");
        bool slides = SlidingWindow > 0 && (SlidingWindowLayers == SlidingWindowLayers.All || layer % 2 == 0);
        return slides ? Math.Min(SlidingWindow, NCtx) : NCtx;
    }

    /// <summary>Every tensor of the checkpoint in forward order: wte, wpe (learned positions), each block, ln_f, lm_head (untied).</summary>
    /// <returns>Per block N, Pre-LN order ln_1, attn.c_attn [3·dModel, dModel] (rows q, k, v), attn.c_proj [dModel, dModel],
    /// ln_2, mlp.c_fc [dFf, dModel], mlp.c_proj [dModel, dFf]; Post-LN and DeepNorm list attn, ln_1, mlp, ln_2 (GPT-1's
    /// params_shapes.json order). Biases [out] unless Bias is false; norms per <see cref="NormTensors"/>.
    /// With grouped-query attention c_attn is [(nHead + 2·nKvHead)·dHead, dModel] and c_proj [dModel, nHead·dHead]
    /// (gpt-oss attn.qkv / attn.out); attn.sinks [nHead] follows c_attn. SwiGLU doubles c_fc's rows. A mixture of experts
    /// has mlp.router [nExpert, dModel] and stacked mlp.experts.c_fc [nExpert, ·, dModel], mlp.experts.c_proj
    /// [nExpert, dModel, dFf] with biases [nExpert, ·] (gpt-oss gate, mlp1_weight, mlp2_weight).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    public IReadOnlyList<CheckpointTensor> Tensors()
    {
        Validate();
        var list = new List<CheckpointTensor>(EmbeddingTensors());
        for (int i = 0; i < NLayer; i++) list.AddRange(BlockTensors(i));
        list.AddRange(HeadTensors());
        return list;
    }

    /// <summary>Counts the parameters, broken down by component (<see cref="GptParameterCount"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    /// <exception cref="ArgumentException">The count does not fit in an Int64 (names config).</exception>
    public GptParameterCount CountParameters() => GptParameterCount.Of(this);

    /// <summary>"tiny-gpt: 4 layers × 4 heads, dModel 128, nCtx 128, vocab 4096, Pre-LN LayerNorm, learned positions, tied embeddings".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(Name.Length > 0 ? Name + ": " : "")}{NLayer} layers × {NHead} heads, dModel {DModel}, nCtx {NCtx}, vocab {VocabSize}, " +
        $"{PlacementText} {Norm}, {Positions.ToString().ToLowerInvariant()} positions, {(TiedEmbeddings ? "tied" : "untied")} embeddings") +
        DescribeExtensions();

    // ", 8 KV heads, dHead 64, SwiGlu, 128 experts (top-4), attention sinks, 128-token window on even layers" (gpt-oss-120b).
    private string DescribeExtensions()
    {
        var parts = new List<string>();
        if (NKvHead != NHead) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{NKvHead} KV heads"));
        if (NHead * DHead != DModel) parts.Add(string.Create(CultureInfo.InvariantCulture, $"dHead {DHead}"));
        if (Mlp != MlpKind.Gelu) parts.Add(Mlp.ToString());
        if (IsMixtureOfExperts) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{NExpert} experts (top-{NExpertPerToken})"));
        if (AttentionSinks) parts.Add("attention sinks");
        if (SlidingWindow > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{SlidingWindow}-token window on {(SlidingWindowLayers == SlidingWindowLayers.All ? "every layer" : "even layers")}"));
        return string.Concat(parts.Select(p => ", " + p));
    }

    private string PlacementText => Placement switch
    {
        NormPlacement.PreLN => "Pre-LN",
        NormPlacement.PostLN => "Post-LN",
        _ => "DeepNorm (Post-LN)",
    };

    /// <summary>The tensors of one norm called <paramref name="prefix"/>: weight γ [dModel], bias β [dModel] (LayerNorm and
    /// BatchNorm with Bias), running_mean and running_var [dModel] (BatchNorm, not trained); none for Norm None.</summary>
    public IEnumerable<CheckpointTensor> NormTensors(string prefix)
    {
        if (Norm == NormKind.None) yield break;
        yield return new(prefix + ".weight", [DModel]);
        if (Bias && Norm != NormKind.RMSNorm) yield return new(prefix + ".bias", [DModel]);
        if (Norm == NormKind.BatchNorm)
        {
            yield return new(prefix + ".running_mean", [DModel], Trained: false);
            yield return new(prefix + ".running_var", [DModel], Trained: false);
        }
    }

    internal IEnumerable<CheckpointTensor> EmbeddingTensors()
    {
        yield return new("wte.weight", [VocabSize, DModel]);
        if (Positions == PositionalScheme.Learned) yield return new("wpe.weight", [NCtx, DModel]);
    }

    // Block i's tensors; every block has the same shapes, so counting needs block 0 only.
    internal IEnumerable<CheckpointTensor> BlockTensors(int i)
    {
        string p = string.Create(CultureInfo.InvariantCulture, $"h.{i}.");
        int qkv = (NHead + 2 * NKvHead) * DHead, fc = Mlp == MlpKind.SwiGlu ? 2 * DFf : DFf;
        var attn = Linear(p + "attn.c_attn", qkv, DModel);
        if (AttentionSinks) attn = attn.Append(new CheckpointTensor(p + "attn.sinks", [NHead]));
        attn = attn.Concat(Linear(p + "attn.c_proj", DModel, NHead * DHead));
        var mlp = IsMixtureOfExperts
            ? Linear(p + "mlp.router", NExpert, DModel)
                .Concat(Linear(p + "mlp.experts.c_fc", fc, DModel, NExpert)).Concat(Linear(p + "mlp.experts.c_proj", DModel, DFf, NExpert))
            : Linear(p + "mlp.c_fc", fc, DModel).Concat(Linear(p + "mlp.c_proj", DModel, DFf));
        return Placement == NormPlacement.PreLN
            ? [.. NormTensors(p + "ln_1"), .. attn, .. NormTensors(p + "ln_2"), .. mlp]
            : [.. attn, .. NormTensors(p + "ln_1"), .. mlp, .. NormTensors(p + "ln_2")];
    }

    internal IEnumerable<CheckpointTensor> HeadTensors()
    {
        if (FinalNorm) foreach (var t in NormTensors("ln_f")) yield return t;
        if (!TiedEmbeddings) yield return new("lm_head.weight", [VocabSize, DModel]); // GPT heads have no bias
    }

    // A linear layer, or nExpert of them stacked ([nExpert, out, in] and [nExpert, out]).
    private IEnumerable<CheckpointTensor> Linear(string name, int outFeatures, int inFeatures, int stacked = 0)
    {
        yield return new(name + ".weight", stacked > 0 ? [stacked, outFeatures, inFeatures] : [outFeatures, inFeatures]);
        if (Bias) yield return new(name + ".bias", stacked > 0 ? [stacked, outFeatures] : [outFeatures]);
    }

    /// <summary>Equal when every public property is equal (DFf, FinalNorm, NKvHead and DHead compare by value, set or defaulted).</summary>
    public bool Equals(GptConfig? other) => other is not null && Key == other.Key;

    /// <inheritdoc />
    public override int GetHashCode() => Key.GetHashCode();

    private (string, int, int, int, int, int, int, NormPlacement, NormKind, bool, PositionalScheme, bool, bool, double, string,
        (int, int, MlpKind, int, int, bool, int, SlidingWindowLayers)) Key =>
        (Name, NLayer, NHead, DModel, NCtx, VocabSize, DFf, Placement, Norm, FinalNorm, Positions, TiedEmbeddings, Bias, NormEpsilon, Source,
         (NKvHead, DHead, Mlp, NExpert, NExpertPerToken, AttentionSinks, SlidingWindow, SlidingWindowLayers));
}

/// <summary>DeepNorm's constants for a decoder-only model of N blocks (Wang et al. 2022, arXiv:2203.00555, Fig. 2).</summary>
public static class DeepNorm
{
    /// <summary>Residual scale α = (2N)^(1/4): x_{l+1} = LN(α·x_l + G(x_l)). N = 6 → 1.861210.</summary>
    /// <exception cref="ArgumentOutOfRangeException">nLayer &lt; 1.</exception>
    public static double Alpha(int nLayer) => Math.Pow(2.0 * Guard.Positive(nLayer), 0.25);

    /// <summary>Xavier-normal gain β = (8N)^(−1/4) of the FFN, v_proj and out_proj weights at initialization. N = 6 → 0.379918.</summary>
    /// <exception cref="ArgumentOutOfRangeException">nLayer &lt; 1.</exception>
    public static double Beta(int nLayer) => Math.Pow(8.0 * Guard.Positive(nLayer), -0.25);
}
