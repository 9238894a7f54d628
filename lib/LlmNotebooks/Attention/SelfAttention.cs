using LlmNotebooks.Numerics;
using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Attention;

/// <summary>
/// One head of self-attention with seeded random projections (Vaswani et al. 2017, arXiv:1706.03762, §3.2):
/// Q = X W_q, K = X W_k, V = X W_v, output = softmax(Q Kᵀ / √d_k + B) V. Untrained on purpose: the experiments are about
/// what the architecture can and cannot see, which holds for every value of the weights.
/// Positions enter only where the caller puts them: added to X (sinusoidal or learned absolute), as a rotation of q and k
/// (RoPE), as an additive bias B (ALiBi), or through the causal mask.
/// </summary>
public sealed class SelfAttention
{
    private readonly float[,] _wq, _wk, _wv;

    /// <summary>Draws W_q, W_k, W_v with entries N(0, 1/dModel) (so q·k/√d_k is O(1) for O(1) inputs), in that order.</summary>
    /// <param name="dModel">Width of the input rows; ≥ 1.</param>
    /// <param name="dK">Width of queries and keys; ≥ 1 (even if RoPE is to be used).</param>
    /// <param name="dV">Width of values and of the output; ≥ 1.</param>
    /// <param name="seed">Seed for <see cref="Random"/>; the same seed gives the same weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">dModel, dK or dV &lt; 1.</exception>
    public SelfAttention(int dModel, int dK, int dV, int seed) : this(dModel, dK, dV, new Random(seed)) { }

    /// <inheritdoc cref="SelfAttention(int, int, int, int)"/>
    /// <param name="dModel">Width of the input rows; ≥ 1.</param>
    /// <param name="dK">Width of queries and keys; ≥ 1.</param>
    /// <param name="dV">Width of values and of the output; ≥ 1.</param>
    /// <param name="random">Source of randomness.</param>
    /// <exception cref="ArgumentNullException">random is null.</exception>
    public SelfAttention(int dModel, int dK, int dV, Random random)
    {
        Guard.Positive(dModel);
        Guard.Positive(dK);
        Guard.Positive(dV);
        ArgumentNullException.ThrowIfNull(random);
        DModel = dModel;
        DK = dK;
        DV = dV;
        double std = 1.0 / Math.Sqrt(dModel);
        _wq = Matrices.RandomNormal(dModel, dK, random, std);
        _wk = Matrices.RandomNormal(dModel, dK, random, std);
        _wv = Matrices.RandomNormal(dModel, dV, random, std);
    }

    /// <summary>Width of the input rows.</summary>
    public int DModel { get; }

    /// <summary>Width of queries and keys (d_k in the √d_k scale).</summary>
    public int DK { get; }

    /// <summary>Width of values and of the output.</summary>
    public int DV { get; }

    /// <summary>A copy of W_q, shape [dModel, dK].</summary>
    public float[,] Wq => (float[,])_wq.Clone();

    /// <summary>A copy of W_k, shape [dModel, dK].</summary>
    public float[,] Wk => (float[,])_wk.Clone();

    /// <summary>A copy of W_v, shape [dModel, dV].</summary>
    public float[,] Wv => (float[,])_wv.Clone();

    /// <summary>
    /// Q = X W_q and K = X W_k (row i rotated by RoPE as position i when <paramref name="rope"/> is given), V = X W_v.
    /// </summary>
    /// <param name="x">Input rows, shape [seqLen, dModel]; finite.</param>
    /// <param name="rope">Rotary embedding with HeadDim = dK and MaxPositions ≥ seqLen, or null.</param>
    /// <returns>Q [seqLen, dK], K [seqLen, dK], V [seqLen, dV].</returns>
    /// <exception cref="ArgumentException">x empty, non-finite or not dModel wide; rope of the wrong size.</exception>
    public (float[,] Q, float[,] K, float[,] V) Project(float[,] x, RotaryEmbedding? rope = null)
    {
        Array2D.CheckFinite(x);
        if (x.GetLength(1) != DModel)
            throw new ArgumentException($"x must have dModel = {DModel} columns; got {x.GetLength(1)}.", nameof(x));
        int seqLen = x.GetLength(0);
        if (rope is not null && (rope.HeadDim != DK || rope.MaxPositions < seqLen))
            throw new ArgumentException(
                $"rope must have HeadDim = dK = {DK} and MaxPositions ≥ seqLen = {seqLen}; got HeadDim {rope.HeadDim}, MaxPositions {rope.MaxPositions}.", nameof(rope));
        var q = Matrices.MultiplyUnchecked(x, _wq);
        var k = Matrices.MultiplyUnchecked(x, _wk);
        var v = Matrices.MultiplyUnchecked(x, _wv);
        if (rope is not null)
            for (int i = 0; i < seqLen; i++)
            {
                rope.Apply(Array2D.Row(q, i), i);
                rope.Apply(Array2D.Row(k, i), i);
            }
        return (q, k, v);
    }

    /// <summary>The attention weights softmax(Q Kᵀ / √d_k + B) for input X.</summary>
    /// <param name="x">Input rows, shape [seqLen, dModel]; finite.</param>
    /// <param name="causal">Mask keys after the query (j &gt; i).</param>
    /// <param name="rope">Rotary embedding applied to q and k (HeadDim = dK), or null.</param>
    /// <param name="bias">Additive bias, shape [seqLen, seqLen] (e.g. <see cref="Alibi.Bias"/>), or null.</param>
    /// <returns>Shape [seqLen, seqLen]; rows sum to 1.</returns>
    /// <exception cref="ArgumentException">See <see cref="Project"/> and <see cref="ScaledDotProductAttention.Weights"/>.</exception>
    public float[,] Weights(float[,] x, bool causal = false, RotaryEmbedding? rope = null, float[,]? bias = null)
    {
        var (q, k, _) = Project(x, rope);
        return ScaledDotProductAttention.Weights(q, k, causal, bias);
    }

    /// <summary>The head's output softmax(Q Kᵀ / √d_k + B) V for input X.</summary>
    /// <param name="x">Input rows, shape [seqLen, dModel]; finite.</param>
    /// <param name="causal">Mask keys after the query (j &gt; i).</param>
    /// <param name="rope">Rotary embedding applied to q and k (HeadDim = dK), or null.</param>
    /// <param name="bias">Additive bias, shape [seqLen, seqLen] (e.g. <see cref="Alibi.Bias"/>), or null.</param>
    /// <returns>Shape [seqLen, dV].</returns>
    /// <exception cref="ArgumentException">See <see cref="Project"/> and <see cref="ScaledDotProductAttention.Weights"/>.</exception>
    public float[,] Forward(float[,] x, bool causal = false, RotaryEmbedding? rope = null, float[,]? bias = null)
    {
        var (q, k, v) = Project(x, rope);
        return ScaledDotProductAttention.Mix(ScaledDotProductAttention.Weights(q, k, causal, bias), v);
    }
}
