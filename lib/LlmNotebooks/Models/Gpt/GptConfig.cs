namespace LlmNotebooks.Models.Gpt;

/// <summary>Where each block applies LayerNorm relative to its residual connection.</summary>
public enum LayerNormPlacement
{
    /// <summary>Post-LN: x = LN(x + sublayer(x)). GPT-1 (openai-gpt), as in Vaswani et al. 2017; no final LayerNorm.</summary>
    PostLn,

    /// <summary>Pre-LN: x = x + sublayer(LN(x)), plus a final ln_f. GPT-2 §2.3 ("moved to the input of each sub-block") and GPT-3.</summary>
    PreLn,
}

/// <summary>
/// The hyper-parameters that fix the shape (and so the parameter count) of a GPT-style decoder-only Transformer:
/// token embedding wte [vocabSize, dModel], learned position embedding wpe [nCtx, dModel], nLayer blocks of
/// (ln_1, attn.c_attn [dModel, 3·dModel], attn.c_proj [dModel, dModel], ln_2, mlp.c_fc [dModel, dFf], mlp.c_proj [dFf, dModel]),
/// an optional final LayerNorm ln_f, and an output head that is tied to wte or separate.
/// Immutable; every value is validated on construction.
/// </summary>
/// <remarks>
/// Names follow the GPT-2 checkpoint (n_layer, n_embd = dModel, n_head, n_positions = nCtx, vocab_size).
/// Sources: GPT-2 config.json files (openai-community/gpt2*), openai-gpt config.json, GPT-3 paper Table 2.1 (arXiv:2005.14165).
/// </remarks>
public sealed record GptConfig
{
    /// <summary>Creates and validates a config.</summary>
    /// <param name="name">Display name, e.g. "gpt2-medium"; must not be empty.</param>
    /// <param name="nLayer">Number of Transformer blocks, ≥ 1.</param>
    /// <param name="dModel">Width of the residual stream (n_embd), ≥ 1 and divisible by <paramref name="nHead"/>.</param>
    /// <param name="nHead">Number of attention heads, ≥ 1; dHead = dModel / nHead.</param>
    /// <param name="nCtx">Context length = rows of the learned position table wpe (n_positions), ≥ 1.</param>
    /// <param name="vocabSize">Rows of the token embedding wte, ≥ 1.</param>
    /// <param name="layerNorm">Post-LN (GPT-1) or Pre-LN (GPT-2/3).</param>
    /// <param name="finalLayerNorm">Whether a final LayerNorm ln_f follows the last block (GPT-2/3: yes; GPT-1: no).</param>
    /// <param name="dFf">Inner width of the MLP, ≥ 1; null means 4·dModel (GPT-1 §4.1: 3072 for 768; GPT-3 §2.1: dff = 4·dmodel).</param>
    /// <param name="tiedOutputHead">true: the LM head reuses wte (GPT-1/2/3 checkpoints); false: a separate [vocabSize, dModel] matrix.</param>
    /// <param name="bias">true: every Linear/Conv1D and LayerNorm has a bias (all GPT checkpoints); false: none (nanoGPT bias=False).</param>
    /// <param name="source">Where the numbers come from (paper + table, or the released config.json).</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or whitespace, or dModel is not divisible by nHead (names dModel).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is &lt; 1 or dModel &gt; <see cref="MaxDModel"/> (names the parameter), or <paramref name="layerNorm"/> is not a defined value.</exception>
    public GptConfig(
        string name,
        int nLayer,
        int dModel,
        int nHead,
        int nCtx,
        int vocabSize,
        LayerNormPlacement layerNorm = LayerNormPlacement.PreLn,
        bool finalLayerNorm = true,
        int? dFf = null,
        bool tiedOutputHead = true,
        bool bias = true,
        string source = "")
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("name must not be empty or whitespace.", nameof(name));
        Guard.Positive(nLayer);
        Guard.Positive(dModel);
        Guard.Positive(nHead);
        Guard.Positive(nCtx);
        Guard.Positive(vocabSize);
        if (dModel > MaxDModel)
            throw new ArgumentOutOfRangeException(nameof(dModel), dModel,
                $"dModel must be ≤ {MaxDModel} (so that 4·dModel, the default dFf and the c_attn width 3·dModel, fit in an Int32); got {dModel}.");
        if (dModel % nHead != 0)
            throw new ArgumentException(
                $"dModel must be divisible by nHead (dHead = dModel / nHead must be a whole number); got dModel = {dModel}, nHead = {nHead}, dModel / nHead = {(double)dModel / nHead:0.###}.",
                nameof(dModel));
        if (!Enum.IsDefined(layerNorm))
            throw new ArgumentOutOfRangeException(nameof(layerNorm), layerNorm, "layerNorm must be PostLn or PreLn.");
        int ff = dFf ?? 4 * dModel;
        if (dFf is int given) Guard.Positive(given, nameof(dFf));

        Name = name;
        NLayer = nLayer;
        DModel = dModel;
        NHead = nHead;
        NCtx = nCtx;
        VocabSize = vocabSize;
        LayerNorm = layerNorm;
        FinalLayerNorm = finalLayerNorm;
        DFf = ff;
        TiedOutputHead = tiedOutputHead;
        Bias = bias;
        Source = source;
    }

    /// <summary>Largest accepted dModel: int.MaxValue / 4 = 536,870,911, so every tensor dimension fits in an Int32.</summary>
    public const int MaxDModel = int.MaxValue / 4;

    /// <summary>Display name, e.g. "gpt2-medium".</summary>
    public string Name { get; }

    /// <summary>Number of Transformer blocks (n_layer).</summary>
    public int NLayer { get; }

    /// <summary>Width of the residual stream (n_embd, dmodel).</summary>
    public int DModel { get; }

    /// <summary>Number of attention heads (n_head).</summary>
    public int NHead { get; }

    /// <summary>Width of one head: dHead = dModel / nHead (exact, checked on construction).</summary>
    public int DHead => DModel / NHead;

    /// <summary>Context length in tokens = rows of wpe (n_positions / n_ctx).</summary>
    public int NCtx { get; }

    /// <summary>Vocabulary size = rows of wte.</summary>
    public int VocabSize { get; }

    /// <summary>Post-LN (GPT-1) or Pre-LN (GPT-2/3).</summary>
    public LayerNormPlacement LayerNorm { get; }

    /// <summary>Whether a final LayerNorm ln_f follows the last block.</summary>
    public bool FinalLayerNorm { get; }

    /// <summary>Inner width of the MLP (c_fc output), 4·dModel unless given.</summary>
    public int DFf { get; }

    /// <summary>true when the LM head reuses wte (weight tying), so it adds no parameters.</summary>
    public bool TiedOutputHead { get; }

    /// <summary>true when every Linear/Conv1D and LayerNorm carries a bias vector.</summary>
    public bool Bias { get; }

    /// <summary>Where the numbers come from.</summary>
    public string Source { get; }

    /// <summary>Counts this config's trainable parameters, broken down by component. See <see cref="GptParameterCount.Of"/>.</summary>
    /// <returns>The breakdown; <see cref="GptParameterCount.Total"/> is the number a framework's parameter count reports.</returns>
    /// <exception cref="ArgumentException">The count does not fit in an Int64.</exception>
    public GptParameterCount CountParameters() => GptParameterCount.Of(this);
}
