namespace LlmNotebooks.PositionalEncoding;

/// <summary>Which coordinates of a head vector RoPE rotates together. The two give different numbers for the same input.</summary>
public enum RotaryPairing
{
    /// <summary>
    /// Adjacent pairs (x[2i], x[2i+1]) rotated by m·θ_i: the RoFormer paper's eq. 34 (Su et al. 2021, arXiv:2104.09864)
    /// and Meta's original Llama code (complex multiplication of adjacent pairs).
    /// </summary>
    Interleaved,

    /// <summary>
    /// "Rotate half": pairs (x[i], x[i + d/2]) rotated by m·θ_i, as in GPT-NeoX and Hugging Face transformers' Llama
    /// (<c>rotate_half</c>). Equivalent to <see cref="Interleaved"/> after permuting the coordinates of q and k.
    /// </summary>
    RotateHalf,
}

/// <summary>
/// Rotary position embedding (RoPE; Su et al. 2021, "RoFormer", arXiv:2104.09864, §3.2–3.4): rotates each 2-D pair of a
/// query or key head vector at position m by the angle m·θ_i with θ_i = base^(−2i/headDim), so that
/// ⟨R_m q, R_n k⟩ depends on q, k and m − n only (eq. 16). Applied to q and k, never to v.
/// Cos/sin tables are precomputed in double precision for positions 0 … maxPositions − 1.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly float[] _cos; // [maxPositions, headDim/2], row-major
    private readonly float[] _sin;

    /// <summary>Creates the tables.</summary>
    /// <param name="headDim">Dimension of one attention head (dModel / nHead); even and ≥ 2.</param>
    /// <param name="maxPositions">Number of positions the tables cover; ≥ 1.</param>
    /// <param name="base">Frequency base θ; finite and &gt; 1 (RoFormer and Llama 1/2 use 10000).</param>
    /// <param name="pairing">Which coordinates are rotated together.</param>
    /// <exception cref="ArgumentOutOfRangeException">headDim odd or &lt; 2; maxPositions &lt; 1; base not finite or ≤ 1; unknown pairing.</exception>
    public RotaryEmbedding(int headDim, int maxPositions, double @base = 10000.0, RotaryPairing pairing = RotaryPairing.Interleaved)
    {
        Guard.EvenPositive(headDim);
        Guard.Positive(maxPositions);
        if (!double.IsFinite(@base) || @base <= 1)
            throw new ArgumentOutOfRangeException(nameof(@base), @base, $"base must be a finite number > 1; got {@base}.");
        if (!Enum.IsDefined(pairing))
            throw new ArgumentOutOfRangeException(nameof(pairing), pairing, "pairing must be Interleaved or RotateHalf.");
        HeadDim = headDim;
        MaxPositions = maxPositions;
        Base = @base;
        Pairing = pairing;
        int half = headDim / 2;
        _cos = new float[maxPositions * half];
        _sin = new float[maxPositions * half];
        for (int m = 0; m < maxPositions; m++)
            for (int i = 0; i < half; i++)
            {
                var (sin, cos) = Math.SinCos(m * Math.Pow(@base, -2.0 * i / headDim));
                _cos[m * half + i] = (float)cos;
                _sin[m * half + i] = (float)sin;
            }
    }

    /// <summary>Dimension of one head vector.</summary>
    public int HeadDim { get; }

    /// <summary>Number of positions covered: valid positions are 0 … MaxPositions − 1.</summary>
    public int MaxPositions { get; }

    /// <summary>Frequency base θ.</summary>
    public double Base { get; }

    /// <summary>Which coordinates are rotated together.</summary>
    public RotaryPairing Pairing { get; }

    /// <summary>cos(m·θ_i) for position m; shape [headDim / 2].</summary>
    /// <exception cref="ArgumentOutOfRangeException">position outside [0, MaxPositions).</exception>
    public ReadOnlySpan<float> Cos(int position) => _cos.AsSpan(CheckPosition(position) * (HeadDim / 2), HeadDim / 2);

    /// <summary>sin(m·θ_i) for position m; shape [headDim / 2].</summary>
    /// <exception cref="ArgumentOutOfRangeException">position outside [0, MaxPositions).</exception>
    public ReadOnlySpan<float> Sin(int position) => _sin.AsSpan(CheckPosition(position) * (HeadDim / 2), HeadDim / 2);

    /// <summary>
    /// Rotates, in place, every head vector in <paramref name="x"/> as the token at <paramref name="position"/>:
    /// x'_a = x_a·cos(mθ_i) − x_b·sin(mθ_i), x'_b = x_b·cos(mθ_i) + x_a·sin(mθ_i) for each pair (a, b) of <see cref="Pairing"/>.
    /// </summary>
    /// <param name="x">One token's queries or keys, shape [nHead · headDim] (heads side by side); length a multiple of headDim.</param>
    /// <param name="position">The token's position m in [0, MaxPositions).</param>
    /// <exception cref="ArgumentException">x.Length is 0 or not a multiple of headDim, or x holds NaN/±∞.</exception>
    /// <exception cref="ArgumentOutOfRangeException">position outside [0, MaxPositions).</exception>
    public void Apply(Span<float> x, int position)
    {
        if (x.Length == 0 || x.Length % HeadDim != 0)
            throw new ArgumentException($"x.Length must be a positive multiple of headDim = {HeadDim}; got {x.Length}.", nameof(x));
        Guard.AllFinite(x);
        ApplyUnchecked(x, position);
    }

    // Apply without the argument checks, for the model's forward pass (its q and k are finite by construction).
    internal void ApplyUnchecked(Span<float> x, int position)
    {
        var cos = Cos(position);
        var sin = Sin(position);
        int half = HeadDim / 2;
        for (int head = 0; head < x.Length; head += HeadDim)
        {
            var v = x.Slice(head, HeadDim);
            for (int i = 0; i < half; i++)
            {
                int a = Pairing == RotaryPairing.Interleaved ? 2 * i : i;
                int b = Pairing == RotaryPairing.Interleaved ? 2 * i + 1 : i + half;
                float xa = v[a], xb = v[b];
                v[a] = xa * cos[i] - xb * sin[i];
                v[b] = xb * cos[i] + xa * sin[i];
            }
        }
    }

    /// <summary>Returns a rotated copy of one head vector (shape [headDim]); see <see cref="Apply"/>.</summary>
    /// <exception cref="ArgumentException">vector length is not headDim, or vector holds NaN/±∞.</exception>
    /// <exception cref="ArgumentOutOfRangeException">position outside [0, MaxPositions).</exception>
    public float[] Rotate(ReadOnlySpan<float> vector, int position)
    {
        if (vector.Length != HeadDim)
            throw new ArgumentException($"vector must have length headDim = {HeadDim}; got {vector.Length}.", nameof(vector));
        Guard.AllFinite(vector);
        var copy = vector.ToArray();
        ApplyUnchecked(copy, position);
        return copy;
    }

    /// <summary>
    /// The attention scores of one query vector against one key vector placed at every pair of positions:
    /// S[m, n] = ⟨R_m q, R_n k⟩ (RoFormer eq. 16). S is constant along each diagonal m − n = const (a Toeplitz matrix),
    /// up to float32 rounding of the rotated vectors; the products are summed in double.
    /// </summary>
    /// <param name="q">Query head vector, shape [headDim]; finite.</param>
    /// <param name="k">Key head vector, shape [headDim]; finite.</param>
    /// <returns>Shape [MaxPositions, MaxPositions] (query position m, key position n).</returns>
    /// <exception cref="ArgumentException">q or k not of length headDim, or with a NaN/Inf entry.</exception>
    public double[,] ScoreMatrix(ReadOnlySpan<float> q, ReadOnlySpan<float> k)
    {
        if (q.Length != HeadDim) throw new ArgumentException($"q must have length headDim = {HeadDim}; got {q.Length}.", nameof(q));
        if (k.Length != HeadDim) throw new ArgumentException($"k must have length headDim = {HeadDim}; got {k.Length}.", nameof(k));
        Guard.AllFinite(q);
        Guard.AllFinite(k);
        var rq = new float[MaxPositions][];
        var rk = new float[MaxPositions][];
        for (int m = 0; m < MaxPositions; m++)
        {
            rq[m] = Rotate(q, m);
            rk[m] = Rotate(k, m);
        }
        var s = new double[MaxPositions, MaxPositions];
        for (int m = 0; m < MaxPositions; m++)
            for (int n = 0; n < MaxPositions; n++)
            {
                double dot = 0;
                for (int j = 0; j < HeadDim; j++) dot += (double)rq[m][j] * rk[n][j];
                s[m, n] = dot;
            }
        return s;
    }

    /// <summary>
    /// Reorders each head's coordinates from the interleaved layout to the rotate-half layout: y[i] = x[2i],
    /// y[i + headDim/2] = x[2i + 1]. Then RotateHalf(y) is the same reordering of Interleaved(x), so the two pairings agree
    /// after this permutation. Hugging Face's convert_llama_weights_to_hf.py applies it to the rows of Meta's wq and wk
    /// (its <c>permute</c> function) so that the rotate-half code reproduces Meta's interleaved model.
    /// </summary>
    /// <param name="x">Head vectors side by side, shape [nHead · headDim].</param>
    /// <param name="headDim">Dimension of one head; even and ≥ 2.</param>
    /// <returns>A new array, shape [nHead · headDim].</returns>
    /// <exception cref="ArgumentOutOfRangeException">headDim odd or &lt; 2.</exception>
    /// <exception cref="ArgumentException">x.Length is 0 or not a multiple of headDim.</exception>
    public static float[] ToRotateHalfLayout(ReadOnlySpan<float> x, int headDim) => Relayout(x, headDim, toRotateHalf: true);

    /// <summary>The inverse of <see cref="ToRotateHalfLayout"/>: y[2i] = x[i], y[2i + 1] = x[i + headDim/2] for each head.</summary>
    /// <param name="x">Head vectors side by side in the rotate-half layout, shape [nHead · headDim].</param>
    /// <param name="headDim">Dimension of one head; even and ≥ 2.</param>
    /// <returns>A new array, shape [nHead · headDim].</returns>
    /// <exception cref="ArgumentOutOfRangeException">headDim odd or &lt; 2.</exception>
    /// <exception cref="ArgumentException">x.Length is 0 or not a multiple of headDim.</exception>
    public static float[] ToInterleavedLayout(ReadOnlySpan<float> x, int headDim) => Relayout(x, headDim, toRotateHalf: false);

    private static float[] Relayout(ReadOnlySpan<float> x, int headDim, bool toRotateHalf)
    {
        Guard.EvenPositive(headDim);
        if (x.Length == 0 || x.Length % headDim != 0)
            throw new ArgumentException($"x.Length must be a positive multiple of headDim = {headDim}; got {x.Length}.", nameof(x));
        int half = headDim / 2;
        var y = new float[x.Length];
        for (int head = 0; head < x.Length; head += headDim)
            for (int i = 0; i < half; i++)
            {
                if (toRotateHalf)
                {
                    y[head + i] = x[head + 2 * i];
                    y[head + i + half] = x[head + 2 * i + 1];
                }
                else
                {
                    y[head + 2 * i] = x[head + i];
                    y[head + 2 * i + 1] = x[head + i + half];
                }
            }
        return y;
    }

    private int CheckPosition(int position, string name = "position") =>
        position >= 0 && position < MaxPositions
            ? position
            : throw new ArgumentOutOfRangeException(name, position, $"{name} must lie in [0, {MaxPositions}) (maxPositions = {MaxPositions}); got {position}.");
}
