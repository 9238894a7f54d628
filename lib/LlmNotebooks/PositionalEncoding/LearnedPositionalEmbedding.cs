using LlmNotebooks.Numerics;

namespace LlmNotebooks.PositionalEncoding;

/// <summary>
/// Learned absolute position embeddings, the <c>wpe</c> table of GPT-1 (Radford et al. 2018, §4.1: "learned position
/// embeddings instead of the sinusoidal version") and GPT-2 (openai/gpt-2 src/model.py: wpe of shape [n_ctx, n_embd],
/// initialised N(0, 0.01²); h = wte[tokens] + wpe[positions]). One trainable row per position 0 … nCtx − 1 and nothing
/// beyond: a model cannot be run on position nCtx without new rows. This class holds the initial (untrained) table.
/// </summary>
public sealed class LearnedPositionalEmbedding
{
    /// <summary>GPT-2's initialisation standard deviation for wpe (openai/gpt-2 src/model.py): 0.01.</summary>
    public const double Gpt2InitStd = 0.01;

    private readonly float[,] _wpe;

    /// <summary>Draws the table with entries N(0, std²) from <see cref="Random"/>(seed).</summary>
    /// <param name="nCtx">Number of positions (context length): GPT-1 512, GPT-2 1024; ≥ 1.</param>
    /// <param name="dModel">Embedding width (n_embd); ≥ 1.</param>
    /// <param name="seed">Seed; the same seed gives the same table.</param>
    /// <param name="std">Standard deviation; finite and &gt; 0 (default <see cref="Gpt2InitStd"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">nCtx or dModel &lt; 1; std not finite or ≤ 0.</exception>
    public LearnedPositionalEmbedding(int nCtx, int dModel, int seed, double std = Gpt2InitStd)
    {
        Guard.Positive(nCtx);
        Guard.Positive(dModel);
        Guard.PositiveFinite(std);
        NCtx = nCtx;
        DModel = dModel;
        _wpe = Matrices.RandomNormal(nCtx, dModel, seed, std);
    }

    /// <summary>Number of positions the table has rows for.</summary>
    public int NCtx { get; }

    /// <summary>Embedding width.</summary>
    public int DModel { get; }

    /// <summary>Trainable parameters of the table: nCtx · dModel.</summary>
    public long ParameterCount => Parameters(NCtx, DModel);

    /// <summary>Trainable parameters of a wpe table: nCtx · dModel (e.g. GPT-2 small 1024 · 768 = 786,432; a sinusoidal table has 0).</summary>
    /// <param name="nCtx">Number of positions; ≥ 1.</param>
    /// <param name="dModel">Embedding width; ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">nCtx or dModel &lt; 1.</exception>
    public static long Parameters(int nCtx, int dModel) => (long)Guard.Positive(nCtx) * Guard.Positive(dModel);

    /// <summary>The rows for positions 0 … seqLen − 1, as added to the token embeddings.</summary>
    /// <param name="seqLen">Number of positions; 1 … nCtx.</param>
    /// <returns>Shape [seqLen, dModel], a copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">seqLen &lt; 1 or &gt; nCtx (there is no row for position nCtx or later).</exception>
    public float[,] Table(int seqLen)
    {
        if (seqLen < 1 || seqLen > NCtx)
            throw new ArgumentOutOfRangeException(nameof(seqLen), seqLen,
                $"seqLen must lie in [1, nCtx = {NCtx}] (no row for position {NCtx} or later); got {seqLen}.");
        var t = new float[seqLen, DModel];
        Array.Copy(_wpe, t, seqLen * DModel);
        return t;
    }
}
