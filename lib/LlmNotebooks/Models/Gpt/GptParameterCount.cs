namespace LlmNotebooks.Models.Gpt;

/// <summary>One named weight tensor of a GPT checkpoint.</summary>
/// <param name="Name">GPT-2 checkpoint name, e.g. "h.0.attn.c_attn.weight" (openai-gpt calls wte/wpe tokens_embed/positions_embed).</param>
/// <param name="Shape">Shape as stored by GPT-2's Conv1D: weights are [in, out], biases and LayerNorm vectors [n].</param>
/// <param name="Count">Number of elements = product of <paramref name="Shape"/>.</param>
public sealed record ParameterTensor(string Name, IReadOnlyList<int> Shape, long Count)
{
    /// <summary>The shape written as "[50257, 768]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>One row of the parameter breakdown table.</summary>
/// <param name="Component">What the parameters are, e.g. "attention weights (c_attn + c_proj)".</param>
/// <param name="Formula">The count written out in the config's symbols, e.g. "nLayer·4·dModel²".</param>
/// <param name="Count">Number of parameters in this group.</param>
/// <param name="Fraction">Count / total, in [0, 1].</param>
public sealed record ParameterGroup(string Component, string Formula, long Count, double Fraction);

/// <summary>
/// Exact trainable-parameter count of a <see cref="GptConfig"/>, broken down by component. With V = vocabSize,
/// n = nCtx, d = dModel, f = dFf, L = nLayer:
/// <code>
/// wte            V·d
/// wpe            n·d
/// attention      L·(d·3d + d·d)        weights of c_attn and c_proj
///                L·(3d + d)            their biases
/// MLP            L·(d·f + f·d)         weights of c_fc and c_proj
///                L·(f + d)             their biases
/// LayerNorms     (2L + [ln_f])·2d      gain γ and bias β of ln_1, ln_2 (and ln_f); d each without bias
/// output head    0 when tied to wte, else V·d (GPT LM heads have no bias)
/// </code>
/// Reproduces the released checkpoints: openai-gpt 116,534,784; gpt2 124,439,808; gpt2-medium 354,823,168;
/// gpt2-large 774,030,080; gpt2-xl 1,557,611,200 (Hugging Face num_parameters of the base models).
/// Buffers that are not trained (GPT-2's causal-mask attn.bias) are not parameters and are not counted.
/// </summary>
public sealed record GptParameterCount
{
    private GptParameterCount(GptConfig config, long wte, long wpe, long attnW, long attnB, long mlpW, long mlpB, long ln, long head)
    {
        Config = config;
        TokenEmbedding = wte;
        PositionEmbedding = wpe;
        AttentionWeights = attnW;
        AttentionBiases = attnB;
        MlpWeights = mlpW;
        MlpBiases = mlpB;
        LayerNorms = ln;
        OutputHead = head;
        Total = checked(wte + wpe + attnW + attnB + mlpW + mlpB + ln + head);
    }

    /// <summary>Counts the parameters of <paramref name="config"/>.</summary>
    /// <param name="config">The model shape.</param>
    /// <returns>The breakdown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentException">The count does not fit in an Int64 (names config).</exception>
    public static GptParameterCount Of(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            checked
            {
                long v = config.VocabSize, n = config.NCtx, d = config.DModel, f = config.DFf, l = config.NLayer;
                long wte = v * d;
                long wpe = n * d;
                long attnW = l * (d * 3 * d + d * d);
                long attnB = config.Bias ? l * (3 * d + d) : 0;
                long mlpW = l * (d * f + f * d);
                long mlpB = config.Bias ? l * (f + d) : 0;
                long perLn = config.Bias ? 2 * d : d;
                long ln = (2 * l + (config.FinalLayerNorm ? 1 : 0)) * perLn;
                long head = config.TiedOutputHead ? 0 : v * d;
                return new GptParameterCount(config, wte, wpe, attnW, attnB, mlpW, mlpB, ln, head);
            }
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"config {config.Name} has more parameters than an Int64 can hold (max {long.MaxValue}).", nameof(config), e);
        }
    }

    /// <summary>The config that was counted.</summary>
    public GptConfig Config { get; }

    /// <summary>Token embedding wte [vocabSize, dModel]: vocabSize·dModel.</summary>
    public long TokenEmbedding { get; }

    /// <summary>Learned position embedding wpe [nCtx, dModel]: nCtx·dModel.</summary>
    public long PositionEmbedding { get; }

    /// <summary>Attention weight matrices c_attn [d, 3d] and c_proj [d, d] in all blocks: nLayer·4·dModel².</summary>
    public long AttentionWeights { get; }

    /// <summary>Attention biases (c_attn [3d], c_proj [d]) in all blocks: nLayer·4·dModel; 0 without bias.</summary>
    public long AttentionBiases { get; }

    /// <summary>MLP weight matrices c_fc [d, dFf] and c_proj [dFf, d] in all blocks: nLayer·2·dModel·dFf.</summary>
    public long MlpWeights { get; }

    /// <summary>MLP biases (c_fc [dFf], c_proj [d]) in all blocks: nLayer·(dFf + dModel); 0 without bias.</summary>
    public long MlpBiases { get; }

    /// <summary>All LayerNorm gains and biases: (2·nLayer + [ln_f])·2·dModel (·dModel without bias).</summary>
    public long LayerNorms { get; }

    /// <summary>Separate output head [vocabSize, dModel]; 0 when tied to wte.</summary>
    public long OutputHead { get; }

    /// <summary>Total trainable parameters (the number PyTorch's sum(p.numel()) or Hugging Face num_parameters gives).</summary>
    public long Total { get; }

    /// <summary>wte + wpe: parameters that are looked up, not multiplied.</summary>
    public long Embeddings => TokenEmbedding + PositionEmbedding;

    /// <summary>Every bias vector: attention, MLP and LayerNorm β (LayerNorm β = half of <see cref="LayerNorms"/> when biased).</summary>
    public long Biases => AttentionBiases + MlpBiases + (Config.Bias ? LayerNorms / 2 : 0);

    /// <summary>
    /// Kaplan et al.'s N (arXiv:2001.08361 §1.3, §2.1): all parameters except the vocabulary and position embeddings
    /// (and a separate output head, which is a vocabulary matrix too) = Total − wte − wpe − head.
    /// </summary>
    public long NonEmbedding => Total - TokenEmbedding - PositionEmbedding - OutputHead;

    /// <summary>
    /// Kaplan et al. Table 1 / Eq. 2.1: N ≈ 2·dModel·nLayer·(2·dAttn + dFf) with dAttn = dModel, i.e. 12·nLayer·dModel² when dFf = 4·dModel.
    /// Drops biases and LayerNorms ("sub-leading terms"), so it is a little below <see cref="NonEmbedding"/>.
    /// </summary>
    public long KaplanApproximation => 2L * Config.DModel * Config.NLayer * (2L * Config.DModel + Config.DFf);

    /// <summary>The breakdown as table rows (component, formula, count, fraction of the total), in checkpoint order.</summary>
    public IReadOnlyList<ParameterGroup> Groups
    {
        get
        {
            var rows = new List<(string, string, long)>
            {
                ("token embedding wte", "vocabSize·dModel", TokenEmbedding),
                ("position embedding wpe", "nCtx·dModel", PositionEmbedding),
                ("attention weights (c_attn + c_proj)", "nLayer·(3·dModel² + dModel²)", AttentionWeights),
                ("attention biases", Config.Bias ? "nLayer·(3·dModel + dModel)" : "0 (no bias)", AttentionBiases),
                ("MLP weights (c_fc + c_proj)", "nLayer·2·dModel·dFf", MlpWeights),
                ("MLP biases", Config.Bias ? "nLayer·(dFf + dModel)" : "0 (no bias)", MlpBiases),
                ("LayerNorms (γ, β)",
                    (Config.FinalLayerNorm ? "(2·nLayer + 1)" : "2·nLayer") + (Config.Bias ? "·2·dModel" : "·dModel"),
                    LayerNorms),
                ("output head", Config.TiedOutputHead ? "0 (tied to wte)" : "vocabSize·dModel", OutputHead),
            };
            return rows.Select(r => new ParameterGroup(r.Item1, r.Item2, r.Item3, (double)r.Item3 / Total)).ToArray();
        }
    }

    /// <summary>
    /// Every weight tensor with its GPT-2 checkpoint name and shape, in forward order: wte, wpe, then per block
    /// Pre-LN (ln_1, attn, ln_2, mlp) or Post-LN (attn, ln_1, mlp, ln_2, the order of GPT-1's params_shapes.json),
    /// then ln_f and a separate lm_head when present. The counts sum to <see cref="Total"/>.
    /// </summary>
    public IReadOnlyList<ParameterTensor> Tensors()
    {
        int v = Config.VocabSize, n = Config.NCtx, d = Config.DModel, f = Config.DFf;
        var list = new List<ParameterTensor> { T("wte.weight", v, d), T("wpe.weight", n, d) };
        for (int i = 0; i < Config.NLayer; i++)
        {
            string p = $"h.{i}.";
            var ln1 = LayerNormTensors(p + "ln_1", d);
            var ln2 = LayerNormTensors(p + "ln_2", d);
            var attn = new List<ParameterTensor> { T(p + "attn.c_attn.weight", d, 3 * d) };
            if (Config.Bias) attn.Add(T(p + "attn.c_attn.bias", 3 * d));
            attn.Add(T(p + "attn.c_proj.weight", d, d));
            if (Config.Bias) attn.Add(T(p + "attn.c_proj.bias", d));
            var mlp = new List<ParameterTensor> { T(p + "mlp.c_fc.weight", d, f) };
            if (Config.Bias) mlp.Add(T(p + "mlp.c_fc.bias", f));
            mlp.Add(T(p + "mlp.c_proj.weight", f, d));
            if (Config.Bias) mlp.Add(T(p + "mlp.c_proj.bias", d));
            if (Config.LayerNorm == LayerNormPlacement.PreLn)
                list.AddRange([.. ln1, .. attn, .. ln2, .. mlp]);
            else
                list.AddRange([.. attn, .. ln1, .. mlp, .. ln2]);
        }
        if (Config.FinalLayerNorm) list.AddRange(LayerNormTensors("ln_f", d));
        if (!Config.TiedOutputHead) list.Add(T("lm_head.weight", v, d));
        return list;
    }

    private List<ParameterTensor> LayerNormTensors(string prefix, int d)
    {
        var t = new List<ParameterTensor> { T(prefix + ".weight", d) };
        if (Config.Bias) t.Add(T(prefix + ".bias", d));
        return t;
    }

    private static ParameterTensor T(string name, params int[] shape) =>
        new(name, shape, shape.Aggregate(1L, (a, s) => checked(a * s)));
}
