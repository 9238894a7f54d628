using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmNotebooks.PositionalEncoding;

/// <summary>
/// The fixed sinusoidal positional encoding of Vaswani et al. 2017, "Attention Is All You Need" (arXiv:1706.03762), §3.5:
/// PE(pos, 2i) = sin(pos · ω_i), PE(pos, 2i+1) = cos(pos · ω_i), with ω_i = base^(−2i/dModel) and base = 10000.
/// Each (sin, cos) pair is a point on a circle turning at frequency ω_i, so PE(pos + k) is a rotation of PE(pos)
/// that depends only on k (see <see cref="OffsetMatrix"/>).
/// </summary>
public static class SinusoidalPositionalEncoding
{
    /// <summary>The base of the geometric frequency progression used by the paper: 10000.</summary>
    public const double DefaultBase = 10000.0;

    /// <summary>Angular frequencies ω_i = base^(−2i/dModel) for i = 0 … dModel/2 − 1, in radians per position.</summary>
    /// <param name="dModel">Model width; must be even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1 (the paper uses 10000).</param>
    /// <returns>Shape [dModel / 2].</returns>
    /// <exception cref="ArgumentOutOfRangeException">dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double[] Frequencies(int dModel, double @base = DefaultBase)
    {
        Guard.EvenPositive(dModel);
        CheckBase(@base);
        var omega = new double[dModel / 2];
        for (int i = 0; i < omega.Length; i++) omega[i] = Math.Pow(@base, -2.0 * i / dModel);
        return omega;
    }

    /// <summary>The encoding of one position, computed in double precision.</summary>
    /// <param name="position">Position index, ≥ 0.</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <returns>Shape [dModel]: [sin(pos·ω_0), cos(pos·ω_0), sin(pos·ω_1), cos(pos·ω_1), …].</returns>
    /// <exception cref="ArgumentOutOfRangeException">position &lt; 0; dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double[] Vector(int position, int dModel, double @base = DefaultBase)
    {
        Guard.NonNegative(position);
        var omega = Frequencies(dModel, @base);
        var pe = new double[dModel];
        for (int i = 0; i < omega.Length; i++)
        {
            (pe[2 * i], pe[2 * i + 1]) = Math.SinCos(position * omega[i]);
        }
        return pe;
    }

    /// <summary>The encodings of positions 0 … seqLen − 1, as added to token embeddings in the Transformer.</summary>
    /// <param name="seqLen">Number of positions; ≥ 1.</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <returns>Shape [seqLen, dModel], float32 (computed in double, then rounded once).</returns>
    /// <exception cref="ArgumentOutOfRangeException">seqLen &lt; 1; dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static float[,] Table(int seqLen, int dModel, double @base = DefaultBase)
    {
        Guard.Positive(seqLen);
        var omega = Frequencies(dModel, @base);
        var table = new float[seqLen, dModel];
        for (int pos = 0; pos < seqLen; pos++)
            for (int i = 0; i < omega.Length; i++)
            {
                var (sin, cos) = Math.SinCos(pos * omega[i]);
                table[pos, 2 * i] = (float)sin;
                table[pos, 2 * i + 1] = (float)cos;
            }
        return table;
    }

    /// <summary>
    /// The fixed linear map M_k with PE(pos + k) = M_k · PE(pos) for every pos: block-diagonal, one 2×2 rotation
    /// [[cos kω_i, sin kω_i], [−sin kω_i, cos kω_i]] per (sin, cos) pair (from the angle-addition identities).
    /// It is what lets attention "attend by relative positions" (Vaswani et al. 2017, §3.5).
    /// </summary>
    /// <param name="k">Offset in positions; any integer (negative rotates backwards).</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <returns>Shape [dModel, dModel], double precision.</returns>
    /// <exception cref="ArgumentOutOfRangeException">dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double[,] OffsetMatrix(int k, int dModel, double @base = DefaultBase)
    {
        var omega = Frequencies(dModel, @base);
        var m = new double[dModel, dModel];
        for (int i = 0; i < omega.Length; i++)
        {
            var (sin, cos) = Math.SinCos(k * omega[i]);
            m[2 * i, 2 * i] = cos;
            m[2 * i, 2 * i + 1] = sin;
            m[2 * i + 1, 2 * i] = -sin;
            m[2 * i + 1, 2 * i + 1] = cos;
        }
        return m;
    }

    /// <summary>
    /// The dot product PE(positionA) · PE(positionB) = Σ_i cos((positionB − positionA) · ω_i), computed from the two vectors.
    /// It depends only on the offset, is symmetric in it and equals dModel / 2 at offset 0 (see <see cref="RelativeDot"/>).
    /// </summary>
    /// <param name="positionA">First position; ≥ 0.</param>
    /// <param name="positionB">Second position; ≥ 0.</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A position &lt; 0; dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double Dot(int positionA, int positionB, int dModel, double @base = DefaultBase)
    {
        Guard.NonNegative(positionA);
        Guard.NonNegative(positionB);
        var a = Vector(positionA, dModel, @base);
        var b = Vector(positionB, dModel, @base);
        double dot = 0;
        for (int j = 0; j < dModel; j++) dot += a[j] * b[j];
        return dot;
    }

    /// <summary>
    /// The closed form of <see cref="Dot"/> for offset k: Σ_i cos(k·ω_i), from sin a sin b + cos a cos b = cos(b − a).
    /// Even in k; maximal (dModel / 2) at k = 0; it falls with |k| but not monotonically (the fast frequencies oscillate).
    /// </summary>
    /// <param name="k">Offset in positions; any integer.</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double RelativeDot(int k, int dModel, double @base = DefaultBase)
    {
        double sum = 0;
        foreach (var w in Frequencies(dModel, @base)) sum += Math.Cos(k * w);
        return sum;
    }

    /// <summary>
    /// Checks PE(p + k) = M_k · PE(p) (<see cref="OffsetMatrix"/>) numerically: max over p = 0 … positions − 1 and over the
    /// dModel coordinates of |(M_k PE(p))_j − PE(p + k)_j|, in double precision. PE is evaluated from its formula, which is
    /// defined for every integer position (so p + k may be negative). Zero up to rounding, which grows with |p·ω|.
    /// </summary>
    /// <param name="k">Offset in positions; any integer.</param>
    /// <param name="positions">Number of starting positions p checked; ≥ 1.</param>
    /// <param name="dModel">Model width; even and ≥ 2.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">positions &lt; 1; dModel odd or &lt; 2; base not finite or ≤ 1.</exception>
    public static double OffsetMaxError(int k, int positions, int dModel, double @base = DefaultBase)
    {
        Guard.Positive(positions);
        var omega = Frequencies(dModel, @base);
        var m = OffsetMatrix(k, dModel, @base);
        ReadOnlySpan<double> rows = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(m)), m.Length);
        var pe = new double[dModel];
        var target = new double[dModel];
        double worst = 0;
        for (int p = 0; p < positions; p++)
        {
            for (int i = 0; i < omega.Length; i++)
            {
                (pe[2 * i], pe[2 * i + 1]) = Math.SinCos(p * omega[i]);
                (target[2 * i], target[2 * i + 1]) = Math.SinCos((p + (double)k) * omega[i]);
            }
            for (int r = 0; r < dModel; r++)
            {
                double mapped = TensorPrimitives.Dot(rows.Slice(r * dModel, dModel), pe); // full row of M_k · PE(p), not just the 2×2 block
                worst = Math.Max(worst, Math.Abs(mapped - target[r]));
            }
        }
        return worst;
    }

    /// <summary>
    /// Scores of one query and one key vector when the sinusoidal encoding is added to them (absolute positions):
    /// S[m, n] = (q + PE(m)) · (k + PE(n)) = q·k + q·PE(n) + PE(m)·k + PE(m)·PE(n). Only the last term depends on
    /// n − m alone; the cross terms depend on the absolute positions, so S is not constant along diagonals
    /// (compare <see cref="RotaryEmbedding.ScoreMatrix"/>). Computed in double.
    /// </summary>
    /// <param name="q">Query vector, shape [dModel]; finite; dModel even and ≥ 2.</param>
    /// <param name="k">Key vector, shape [dModel]; finite.</param>
    /// <param name="positions">Number of positions m, n = 0 … positions − 1; ≥ 1.</param>
    /// <param name="base">Frequency base; finite and &gt; 1.</param>
    /// <returns>Shape [positions, positions] (query position m, key position n).</returns>
    /// <exception cref="ArgumentException">q's length odd or &lt; 2; k's length differs from q's; a NaN/Inf entry.</exception>
    /// <exception cref="ArgumentOutOfRangeException">positions &lt; 1; base not finite or ≤ 1.</exception>
    public static double[,] AdditiveScoreMatrix(ReadOnlySpan<float> q, ReadOnlySpan<float> k, int positions, double @base = DefaultBase)
    {
        Guard.Positive(positions);
        int dModel = q.Length;
        if (dModel < 2 || dModel % 2 != 0)
            throw new ArgumentException($"q.Length (dModel) must be even and ≥ 2 (it is split into pairs); got {dModel}.", nameof(q));
        var table = Table(positions, dModel, @base);
        if (k.Length != dModel) throw new ArgumentException($"k must have the length of q ({dModel}); got {k.Length}.", nameof(k));
        Guard.AllFinite(q);
        Guard.AllFinite(k);
        var s = new double[positions, positions];
        for (int m = 0; m < positions; m++)
            for (int n = 0; n < positions; n++)
            {
                double dot = 0;
                for (int j = 0; j < dModel; j++) dot += ((double)q[j] + table[m, j]) * ((double)k[j] + table[n, j]);
                s[m, n] = dot;
            }
        return s;
    }

    private static void CheckBase(double @base, string name = "base")
    {
        if (!double.IsFinite(@base) || @base <= 1)
            throw new ArgumentOutOfRangeException(name, @base, $"{name} must be a finite number > 1; got {@base}.");
    }
}
