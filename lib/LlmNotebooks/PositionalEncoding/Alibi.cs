namespace LlmNotebooks.PositionalEncoding;

/// <summary>
/// ALiBi, "Attention with Linear Biases" (Press, Smith and Lewis 2021, "Train Short, Test Long", arXiv:2108.12409, §3):
/// no position vectors at all; each head h adds −m_h · (i − j) to the attention score of query i on key j ≤ i.
/// The slopes m_h form a geometric sequence; reference implementation: github.com/ofirpress/attention_with_linear_biases
/// (<c>get_slopes</c>).
/// </summary>
public static class Alibi
{
    /// <summary>
    /// Per-head slopes. For nHead a power of two: m_h = 2^(−8h/nHead), h = 1 … nHead (8 heads → 1/2, 1/4, …, 1/256).
    /// Otherwise, as the reference code: the slopes for the closest power of two p below nHead, followed by every
    /// other slope of the 2p-head sequence until nHead slopes are listed.
    /// </summary>
    /// <param name="nHead">Number of attention heads; ≥ 1.</param>
    /// <returns>Shape [nHead], head 0 first (the steepest slope).</returns>
    /// <exception cref="ArgumentOutOfRangeException">nHead &lt; 1.</exception>
    public static double[] Slopes(int nHead)
    {
        Guard.Positive(nHead);
        if (int.IsPow2(nHead)) return PowerOfTwoSlopes(nHead);
        int p = 1 << (31 - int.LeadingZeroCount(nHead)); // largest power of two below nHead
        var slopes = new List<double>(PowerOfTwoSlopes(p));
        var doubled = PowerOfTwoSlopes(2 * p);
        for (int i = 0; slopes.Count < nHead; i += 2) slopes.Add(doubled[i]);
        return [.. slopes];
    }

    /// <summary>
    /// The causal bias added to one head's attention scores: B[i, j] = −slope · (i − j) for j ≤ i, and −∞ for j &gt; i
    /// (the causal mask), so softmax gives future keys zero weight.
    /// </summary>
    /// <param name="seqLen">Number of positions; ≥ 1.</param>
    /// <param name="slope">The head's slope m_h; finite and &gt; 0.</param>
    /// <returns>Shape [seqLen, seqLen] (query i, key j).</returns>
    /// <exception cref="ArgumentOutOfRangeException">seqLen &lt; 1; slope not finite or ≤ 0.</exception>
    public static float[,] Bias(int seqLen, double slope)
    {
        Guard.Positive(seqLen);
        Guard.PositiveFinite(slope);
        var bias = new float[seqLen, seqLen];
        for (int i = 0; i < seqLen; i++)
            for (int j = 0; j < seqLen; j++)
                bias[i, j] = j <= i ? (float)(-slope * (i - j)) : float.NegativeInfinity;
        return bias;
    }

    private static double[] PowerOfTwoSlopes(int n)
    {
        double start = Math.Pow(2, -8.0 / n);
        var slopes = new double[n];
        for (int h = 0; h < n; h++) slopes[h] = Math.Pow(start, h + 1);
        return slopes;
    }
}
