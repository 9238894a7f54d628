using System.Numerics.Tensors;
using LlmNotebooks.Numerics;

namespace LlmNotebooks.Attention;

/// <summary>
/// Scaled dot-product attention, Vaswani et al. 2017, "Attention Is All You Need" (arXiv:1706.03762), §3.2.1, eq. 1:
/// Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + B) V, where B is an optional additive bias (e.g. ALiBi) and the causal mask
/// sets B[i, j] = −∞ for keys after the query. Single head; rows are positions.
/// Nothing in it looks at a row's index except the causal mask and the bias: that is why it needs positional information.
/// </summary>
public static class ScaledDotProductAttention
{
    /// <summary>
    /// The attention weights softmax(Q Kᵀ / √d_k + B) with the causal mask applied if asked.
    /// Causal: query i sees key j only if j ≤ i + (nK − nQ) (lower triangle counted from the lower-right corner, as in
    /// GPT-2's <c>attention_mask</c>; for nQ = nK simply j ≤ i). Masked weights are exactly 0.
    /// Softmax subtracts each row's maximum first, so large scores do not overflow.
    /// </summary>
    /// <param name="q">Queries, shape [nQ, d_k]; finite.</param>
    /// <param name="k">Keys, shape [nK, d_k]; finite; nK ≥ nQ when causal.</param>
    /// <param name="causal">Apply the causal mask.</param>
    /// <param name="bias">Additive bias, shape [nQ, nK], or null; entries finite or −∞ (−∞ masks a key).</param>
    /// <returns>Shape [nQ, nK]; every row sums to 1.</returns>
    /// <exception cref="ArgumentException">Empty or non-finite q/k; widths differ; causal with nK &lt; nQ; bias of the wrong
    /// shape, with NaN or +∞, or masking every key of some query.</exception>
    public static float[,] Weights(float[,] q, float[,] k, bool causal = false, float[,]? bias = null)
    {
        Array2D.CheckFinite(q);
        Array2D.CheckFinite(k);
        if (k.GetLength(1) != q.GetLength(1))
            throw new ArgumentException($"k must have d_k = {q.GetLength(1)} columns (as q); got {k.GetLength(1)}.", nameof(k));
        int nQ = q.GetLength(0), nK = k.GetLength(0);
        if (causal && nK < nQ)
            throw new ArgumentException($"k must have at least as many rows as q ({nQ}) when causal; got {nK}.", nameof(k));
        CheckBias(bias, nQ, nK);

        float scale = 1f / MathF.Sqrt(q.GetLength(1));
        var w = new float[nQ, nK];
        for (int i = 0; i < nQ; i++)
        {
            var row = Array2D.Row(w, i);
            var qi = Array2D.Row(q, i);
            int lastVisible = causal ? i + (nK - nQ) : nK - 1;
            for (int j = 0; j < nK; j++)
                row[j] = j > lastVisible ? float.NegativeInfinity
                    : TensorPrimitives.Dot(qi, Array2D.Row(k, j)) * scale + (bias is null ? 0f : bias[i, j]);
            if (!Softmax.TryInPlace(row))
                throw new ArgumentException($"bias (with the causal mask) must leave at least one key visible to each query; query {i} sees none.", nameof(bias));
        }
        return w;
    }

    /// <summary>Attention output softmax(Q Kᵀ / √d_k + B) V; see <see cref="Weights"/> for the mask and bias.</summary>
    /// <param name="q">Queries, shape [nQ, d_k]; finite.</param>
    /// <param name="k">Keys, shape [nK, d_k]; finite.</param>
    /// <param name="v">Values, shape [nK, d_v]; finite.</param>
    /// <param name="causal">Apply the causal mask.</param>
    /// <param name="bias">Additive bias, shape [nQ, nK], or null.</param>
    /// <returns>Shape [nQ, d_v]: row i is a convex combination of the rows of v.</returns>
    /// <exception cref="ArgumentException">As <see cref="Weights"/>; or v empty, non-finite, or without nK rows.</exception>
    public static float[,] Compute(float[,] q, float[,] k, float[,] v, bool causal = false, float[,]? bias = null)
    {
        Array2D.CheckFinite(v);
        if (v.GetLength(0) != k.GetLength(0))
            throw new ArgumentException($"v must have one row per key ({k.GetLength(0)}); got {v.GetLength(0)}.", nameof(v));
        var w = Weights(q, k, causal, bias);
        return Mix(w, v);
    }

    /// <summary>output[i] = Σ_j w[i, j] · v[j], summed over keys in index order.</summary>
    internal static float[,] Mix(float[,] w, float[,] v)
    {
        int nQ = w.GetLength(0), nK = w.GetLength(1), dV = v.GetLength(1);
        var output = new float[nQ, dV];
        for (int i = 0; i < nQ; i++)
        {
            var o = Array2D.Row(output, i);
            for (int j = 0; j < nK; j++)
                if (w[i, j] != 0f) TensorPrimitives.MultiplyAdd(Array2D.Row(v, j), w[i, j], o, o);
        }
        return output;
    }

    private static void CheckBias(float[,]? bias, int nQ, int nK)
    {
        if (bias is null) return;
        if (bias.GetLength(0) != nQ || bias.GetLength(1) != nK)
            throw new ArgumentException($"bias must have shape [nQ, nK] = [{nQ}, {nK}]; got [{bias.GetLength(0)}, {bias.GetLength(1)}].", nameof(bias));
        for (int i = 0; i < nQ; i++)
            for (int j = 0; j < nK; j++)
                if (float.IsNaN(bias[i, j]) || float.IsPositiveInfinity(bias[i, j]))
                    throw new ArgumentException($"bias entries must be finite or −∞; bias[{i}, {j}] = {bias[i, j]}.", nameof(bias));
    }
}
