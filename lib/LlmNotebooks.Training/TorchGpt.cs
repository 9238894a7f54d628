using LlmNotebooks.Gpt;
using LlmNotebooks.PositionalEncoding;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmNotebooks.Training;

/// <summary>Keys and values of one layer's earlier positions, for generation one token at a time.</summary>
public sealed class TorchLayerCache : IDisposable
{
    /// <summary>Cached keys, shape [batch, nHead, cachedLength, headDim] (null before the first step).</summary>
    public Tensor? Keys { get; internal set; }

    /// <summary>Cached values, shape [batch, nHead, cachedLength, headDim] (null before the first step).</summary>
    public Tensor? Values { get; internal set; }

    /// <summary>Number of cached positions.</summary>
    public long Length => Keys is null ? 0 : Keys.shape[2];

    /// <summary>Frees the cached tensors.</summary>
    public void Dispose()
    {
        Keys?.Dispose();
        Values?.Dispose();
        Keys = Values = null;
    }
}

/// <summary>
/// The GPT of a <see cref="GptConfig"/> in TorchSharp, for training: every placement (Pre-LN, Post-LN, DeepNorm), norm
/// (LayerNorm, RMSNorm, BatchNorm, none) and position scheme the C# <see cref="GptModel"/> runs. State-dict names are the
/// config's <see cref="GptConfig.Tensors"/> ("wte.weight", "h.0.attn.c_attn.weight", "h.0.ln_1.running_mean", …), so the
/// weights load one to one into the C# model. GELU is GPT-2's tanh form; attention is torch's scaled_dot_product_attention
/// with a causal mask. Initialization: nanoGPT's (N(0, 0.02), residual projections N(0, 0.02/√(2·nLayer)) as GPT-2 §2.3,
/// zero biases, unit gains); DeepNorm's Xavier-normal gains instead for DeepNorm (<see cref="Initialize"/>).
/// </summary>
public sealed class TorchGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding? wpe;
    private readonly ModuleList<TorchGptBlock> h;
    private readonly TorchNorm? ln_f;
    private readonly Linear? lm_head;
    private readonly Tensor? _sinusoid;          // [nCtx, dModel], not a parameter
    private readonly Tensor? _ropeCos, _ropeSin; // [nCtx, headDim/2], not parameters

    /// <summary>Creates a randomly initialized model; call torch.random.manual_seed first for reproducible weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An invalid config.</exception>
    /// <exception cref="NotSupportedException">A config only counting supports (<see cref="GptConfig.ValidateRunnable"/>).</exception>
    public TorchGpt(GptConfig config) : base("TorchGpt")
    {
        Config = config.ValidateRunnable();
        int d = config.DModel;
        wte = nn.Embedding(config.VocabSize, d);
        register_module("wte", wte);
        if (config.Positions == PositionalScheme.Learned)
        {
            wpe = nn.Embedding(config.NCtx, d);
            register_module("wpe", wpe);
        }
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new TorchGptBlock(config)).ToArray());
        register_module("h", h);
        ln_f = config.HasFinalNorm ? TorchNorm.Create(config) : null;
        if (ln_f is not null) register_module("ln_f", ln_f);
        if (!config.TiedEmbeddings)
        {
            lm_head = nn.Linear(d, config.VocabSize, hasBias: false);
            register_module("lm_head", lm_head);
        }
        if (config.Positions == PositionalScheme.Sinusoidal)
            _sinusoid = FromMatrix(SinusoidalPositionalEncoding.Table(config.NCtx, d));
        if (config.Positions == PositionalScheme.Rope)
        {
            var rope = new RotaryEmbedding(config.DHead, config.NCtx);
            int half = config.DHead / 2;
            var cos = new float[config.NCtx * half];
            var sin = new float[config.NCtx * half];
            for (int m = 0; m < config.NCtx; m++)
            {
                rope.Cos(m).CopyTo(cos.AsSpan(m * half));
                rope.Sin(m).CopyTo(sin.AsSpan(m * half));
            }
            _ropeCos = torch.tensor(cos, [config.NCtx, half]);
            _ropeSin = torch.tensor(sin, [config.NCtx, half]);
        }
        Initialize();
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The blocks, h.0 … h.(nLayer−1).</summary>
    public IReadOnlyList<TorchGptBlock> Blocks => h.ToList();

    /// <summary>Logits for every position.</summary>
    /// <param name="idx">Token ids, int64, shape [batch, seqLen], seqLen ≤ nCtx.</param>
    /// <returns>Shape [batch, seqLen, vocabSize].</returns>
    public override Tensor forward(Tensor idx) => Forward(idx, null);

    /// <summary>
    /// Logits for new tokens, attending over the cached keys/values of earlier positions and appending to the cache.
    /// With <paramref name="caches"/> null this is the plain causal forward pass.
    /// </summary>
    /// <param name="idx">New token ids, int64, shape [batch, newLen]; cached length + newLen ≤ nCtx.</param>
    /// <param name="caches">One cache per layer, or null.</param>
    /// <returns>Shape [batch, newLen, vocabSize].</returns>
    /// <exception cref="ArgumentException">More positions than nCtx, or a cache list of the wrong length.</exception>
    public Tensor Forward(Tensor idx, IReadOnlyList<TorchLayerCache>? caches)
    {
        if (caches is not null && caches.Count != Config.NLayer)
            throw new ArgumentException($"caches must hold nLayer = {Config.NLayer} entries; got {caches.Count}.", nameof(caches));
        long t = idx.shape[1];
        long offset = caches?[0].Length ?? 0;
        if (offset + t > Config.NCtx)
            throw new ArgumentException($"{offset} cached + {t} new positions exceed nCtx = {Config.NCtx}.", nameof(idx));
        using var scope = NewDisposeScope();
        var x = wte.forward(idx);                                                     // (B, T, d)
        if (wpe is not null) x = x + wpe.forward(arange(offset, offset + t, dtype: int64));
        if (_sinusoid is not null) x = x + _sinusoid.narrow(0, offset, t);
        Tensor? cos = _ropeCos?.narrow(0, offset, t), sin = _ropeSin?.narrow(0, offset, t);
        for (int i = 0; i < h.Count; i++) x = h[i].Forward(x, cos, sin, caches?[i]);
        if (ln_f is not null) x = ln_f.forward(x);
        var logits = lm_head is not null ? lm_head.forward(x) : nn.functional.linear(x, wte.weight!);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Mean cross-entropy (nats per token) of next-token prediction.</summary>
    /// <param name="inputs">int64, shape [batch, seqLen].</param>
    /// <param name="targets">int64, shape [batch, seqLen].</param>
    /// <returns>A scalar tensor (differentiable).</returns>
    public Tensor Loss(Tensor inputs, Tensor targets)
    {
        using var logits = forward(inputs);
        return nn.functional.cross_entropy(logits.view(-1, Config.VocabSize), targets.view(-1));
    }

    /// <summary>Whether BatchNorm's running statistics follow each train-mode batch (torch's default); false freezes them,
    /// e.g. to measure a train-mode validation loss without changing the model.</summary>
    public bool UpdateRunningStatistics
    {
        set
        {
            foreach (var norm in modules().OfType<TorchNorm>()) norm.UpdateRunningStatistics = value;
        }
    }

    /// <summary>Copies every tensor of the state dict (parameters and running statistics) out, by GPT-2 name, as float32 (row-major).</summary>
    public Dictionary<string, float[]> ExportWeights()
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, p) in named_parameters()) result[name] = p.detach().contiguous().data<float>().ToArray();
        foreach (var (name, b) in named_buffers()) result[name] = b.detach().contiguous().data<float>().ToArray();
        return result;
    }

    /// <summary>Overwrites every tensor of the state dict from GPT-2-named arrays (e.g. read from a safetensors file).</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong number of elements, or there are extra arrays.</exception>
    public void ImportWeights(IReadOnlyDictionary<string, float[]> weights)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()))
        {
            names.Add(name);
            if (!weights.TryGetValue(name, out var values)) throw new InvalidDataException($"Weight '{name}' is missing.");
            if (values.Length != p.numel()) throw new InvalidDataException($"Weight '{name}' has {values.Length} values; expected {p.numel()}.");
            p.copy_(torch.tensor(values, p.shape));
        }
        var extra = weights.Keys.Where(k => !names.Contains(k)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"Unexpected weights: {string.Join(", ", extra)}.");
    }

    /// <summary>
    /// Initializes every parameter. nanoGPT (and GPT-2 §2.3): embeddings and linear weights N(0, 0.02), the residual
    /// projections attn.c_proj and mlp.c_proj N(0, 0.02/√(2·nLayer)), biases 0, norm gains 1. DeepNorm (Wang et al. 2022,
    /// Fig. 2): Xavier-normal with gain β = (8N)^(−1/4) for mlp.c_fc, mlp.c_proj, attn.c_proj and the v rows of attn.c_attn,
    /// gain 1 for its q and k rows (each a [d, d] slice, as separate projections would be).
    /// </summary>
    private void Initialize()
    {
        using var _ = no_grad();
        bool deepNorm = Config.Placement == NormPlacement.DeepNorm;
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.NLayer), beta = DeepNorm.Beta(Config.NLayer);
        int d = Config.DModel;
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
            else if (name.Contains("ln_", StringComparison.Ordinal)) nn.init.ones_(p);
            else if (deepNorm && name.EndsWith("attn.c_attn.weight", StringComparison.Ordinal))
            {
                nn.init.xavier_normal_(p.narrow(0, 0, d), 1.0);         // q_proj
                nn.init.xavier_normal_(p.narrow(0, d, d), 1.0);         // k_proj
                nn.init.xavier_normal_(p.narrow(0, 2 * d, d), beta);    // v_proj
            }
            else if (deepNorm && (name.EndsWith("c_proj.weight", StringComparison.Ordinal) || name.EndsWith("c_fc.weight", StringComparison.Ordinal)))
                nn.init.xavier_normal_(p, beta);                        // out_proj and the FFN
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(p, 0, residualStd);
            else nn.init.normal_(p, 0, 0.02);
        }
    }

    private static Tensor FromMatrix(float[,] m)
    {
        var flat = new float[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return torch.tensor(flat, [m.GetLength(0), m.GetLength(1)]);
    }
}

/// <summary>One Transformer block h.N: ln_1, attn (c_attn, c_proj), ln_2, mlp (c_fc, c_proj), placed Pre-LN, Post-LN or DeepNorm.</summary>
public sealed class TorchGptBlock : nn.Module<Tensor, Tensor>
{
    private readonly TorchNorm? ln_1, ln_2;
    private readonly TorchGptAttention attn;
    private readonly TorchGptMlp mlp;
    private readonly bool _preLn;
    private readonly double _alpha;

    internal TorchGptBlock(GptConfig config) : base("TorchGptBlock")
    {
        _preLn = config.Placement == NormPlacement.PreLN;
        _alpha = config.ResidualScale;
        ln_1 = TorchNorm.Create(config);
        attn = new TorchGptAttention(config);
        ln_2 = TorchNorm.Create(config);
        mlp = new TorchGptMlp(config);
        if (ln_1 is not null) register_module("ln_1", ln_1);
        register_module("attn", attn);
        if (ln_2 is not null) register_module("ln_2", ln_2);
        register_module("mlp", mlp);
    }

    /// <summary>The block without positions from RoPE or a cache; x shape [batch, seqLen, dModel].</summary>
    public override Tensor forward(Tensor x) => Forward(x, null, null, null);

    internal Tensor Forward(Tensor x, Tensor? cos, Tensor? sin, TorchLayerCache? cache)
    {
        if (_preLn)
        {
            x = x + attn.Forward(Norm(ln_1, x), cos, sin, cache);             // Pre-LN: x + Attn(LN(x))
            return x + mlp.forward(Norm(ln_2, x));
        }
        x = Norm(ln_1, Residual(x, attn.Forward(x, cos, sin, cache)));         // Post-LN: LN(α·x + Attn(x)), α = 1 unless DeepNorm
        return Norm(ln_2, Residual(x, mlp.forward(x)));
    }

    private Tensor Residual(Tensor x, Tensor sublayer) => _alpha == 1.0 ? x + sublayer : x * _alpha + sublayer;

    private static Tensor Norm(TorchNorm? norm, Tensor x) => norm is null ? x : norm.forward(x);
}

/// <summary>
/// One norm over the last dimension of [batch, seqLen, dModel]: LayerNorm (torch's layer_norm), RMSNorm x/√(mean(x²) + ε)·γ,
/// or BatchNorm over (batch, time) per channel, written out: train mode normalizes with the batch's mean and biased variance
/// and moves running_mean/running_var toward them (momentum 0.1, unbiased variance, as torch.nn.BatchNorm1d); eval mode
/// uses the running statistics. Parameters "weight" (γ), "bias" (β, unless RMSNorm or Bias off); buffers "running_mean", "running_var".
/// </summary>
public sealed class TorchNorm : nn.Module<Tensor, Tensor>
{
    private const double Momentum = 0.1;
    private readonly NormKind _kind;
    private readonly double _eps;
    private readonly long _d;
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly Tensor? _runningMean, _runningVar;

    private TorchNorm(GptConfig config) : base("TorchNorm")
    {
        _kind = config.Norm;
        _eps = config.NormEpsilon;
        _d = config.DModel;
        _weight = new Parameter(torch.ones(_d));
        register_parameter("weight", _weight);
        if (config.Bias && _kind != NormKind.RMSNorm)
        {
            _bias = new Parameter(torch.zeros(_d));
            register_parameter("bias", _bias);
        }
        if (_kind == NormKind.BatchNorm)
        {
            _runningMean = torch.zeros(_d);
            _runningVar = torch.ones(_d);
            register_buffer("running_mean", _runningMean);
            register_buffer("running_var", _runningVar);
        }
    }

    /// <summary>A norm of the config's kind, or null for <see cref="NormKind.None"/>.</summary>
    public static TorchNorm? Create(GptConfig config) => config.Norm == NormKind.None ? null : new TorchNorm(config);

    /// <summary>See <see cref="TorchGpt.UpdateRunningStatistics"/>.</summary>
    public bool UpdateRunningStatistics { get; set; } = true;

    /// <summary>x shape [..., dModel] → same shape.</summary>
    public override Tensor forward(Tensor x)
    {
        switch (_kind)
        {
            case NormKind.LayerNorm:
                return nn.functional.layer_norm(x, [_d], _weight, _bias, _eps);
            case NormKind.RMSNorm:
                return x * torch.rsqrt(x.pow(2).mean([-1L], keepdim: true) + _eps) * _weight;   // x/√(mean(x²) + ε)·γ
            default:
                var rows = x.reshape(-1, _d);                                                      // (B·T, d): statistics over batch and time
                Tensor mean, variance;
                if (training)
                {
                    mean = rows.mean([0L]);
                    variance = rows.var(0, unbiased: false);
                    if (UpdateRunningStatistics)
                        using (no_grad())
                        {
                            long n = rows.shape[0];
                            _runningMean!.mul_(1 - Momentum).add_(mean.detach() * Momentum);
                            _runningVar!.mul_(1 - Momentum).add_(variance.detach() * (Momentum * n / Math.Max(1, n - 1)));
                        }
                }
                else
                {
                    mean = _runningMean!;
                    variance = _runningVar!;
                }
                var y = (rows - mean) * torch.rsqrt(variance + _eps) * _weight;
                if (_bias is not null) y = y + _bias;
                return y.reshape(x.shape);
        }
    }
}

/// <summary>Causal multi-head self-attention: c_attn → q, k, v (RoPE on q, k if configured) → softmax(qkᵀ/√d_h)v → c_proj.</summary>
public sealed class TorchGptAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_attn, c_proj;
    private readonly int _nHead, _dModel, _headDim;

    internal TorchGptAttention(GptConfig config) : base("TorchGptAttention")
    {
        _nHead = config.NHead;
        _dModel = config.DModel;
        _headDim = config.DHead;
        c_attn = nn.Linear(_dModel, 3 * _dModel, hasBias: config.Bias);
        c_proj = nn.Linear(_dModel, _dModel, hasBias: config.Bias);
        register_module("c_attn", c_attn);
        register_module("c_proj", c_proj);
    }

    /// <summary>Attention without RoPE or cache; x shape [batch, seqLen, dModel].</summary>
    public override Tensor forward(Tensor x) => Forward(x, null, null, null);

    internal Tensor Forward(Tensor x, Tensor? cos, Tensor? sin, TorchLayerCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var qkv = c_attn.forward(x).split(_dModel, 2);                       // 3 × (B, T, d)
        var q = qkv[0].view(b, t, _nHead, _headDim).transpose(1, 2);         // (B, nh, T, hs)
        var k = qkv[1].view(b, t, _nHead, _headDim).transpose(1, 2);
        var v = qkv[2].view(b, t, _nHead, _headDim).transpose(1, 2);
        if (cos is not null && sin is not null)
        {
            q = Rotate(q, cos, sin);
            k = Rotate(k, cos, sin);
        }
        bool causal = true;
        if (cache is not null)
        {
            if (cache.Keys is not null)
            {
                // One new query attends to every cached key, so no mask (torch's is_causal would align the mask top-left).
                if (t > 1) throw new ArgumentException("With a non-empty cache, feed one token at a time.", nameof(x));
                k = cat([cache.Keys, k], 2);
                v = cat([cache.Values!, v], 2);
                causal = false;
            }
            var oldK = cache.Keys;
            var oldV = cache.Values;
            cache.Keys = k.detach().DetachFromDisposeScope();
            cache.Values = v.detach().DetachFromDisposeScope();
            oldK?.Dispose();
            oldV?.Dispose();
        }
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal); // (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(b, t, _dModel);
        return c_proj.forward(y);
    }

    // RoPE with interleaved pairs (RoFormer eq. 34): (x₀, x₁) → (x₀cos − x₁sin, x₁cos + x₀sin); cos/sin shape (T, hs/2).
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var shape = x.shape;
        var pairs = x.reshape(shape[0], shape[1], shape[2], shape[3] / 2, 2);
        var x0 = pairs.select(-1, 0);
        var x1 = pairs.select(-1, 1);
        var r0 = x0 * cos - x1 * sin;
        var r1 = x1 * cos + x0 * sin;
        return stack([r0, r1], -1).reshape(shape);
    }
}

/// <summary>The position-wise MLP: c_fc (dModel → dFf), GELU (tanh approximation), c_proj (dFf → dModel).</summary>
public sealed class TorchGptMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_fc, c_proj;

    internal TorchGptMlp(GptConfig config) : base("TorchGptMlp")
    {
        c_fc = nn.Linear(config.DModel, config.DFf, hasBias: config.Bias);
        c_proj = nn.Linear(config.DFf, config.DModel, hasBias: config.Bias);
        register_module("c_fc", c_fc);
        register_module("c_proj", c_proj);
    }

    /// <summary>x shape [batch, seqLen, dModel] → same shape.</summary>
    public override Tensor forward(Tensor x) => c_proj.forward(GeluTanh(c_fc.forward(x)));

    /// <summary>GPT-2's GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks and Gimpel 2016, arXiv:1606.08415 §2).</summary>
    public static Tensor GeluTanh(Tensor x) => 0.5 * x * (1 + tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))));
}
