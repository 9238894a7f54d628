using System.Globalization;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Min-p truncation: drop token i when p_i &lt; minP · p_max, i.e. when exp(l_i − l_max) &lt; minP (a token exactly at
/// the threshold is kept); the cut-off scales with the model's confidence. At least minTokensToKeep top-ranked tokens
/// (rank order of <see cref="TopP"/>: logit, then id, descending) survive. minP = 0 keeps everything.
/// Source: Nguyen et al. 2024, "Turning Up the Heat: Min-p Sampling for Creative and Coherent LLM Outputs",
/// arXiv:2407.01082; Hugging Face MinPLogitsWarper (applied after temperature).
/// </summary>
public sealed class MinPLogitsWarper : ILogitsProcessor
{
    /// <summary>Creates the warper.</summary>
    /// <param name="minP">Relative threshold in [0, 1].</param>
    /// <param name="minTokensToKeep">At least this many top-ranked finite tokens survive (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minP"/> ∉ [0, 1] (NaN included) or <paramref name="minTokensToKeep"/> &lt; 1.</exception>
    public MinPLogitsWarper(double minP, int minTokensToKeep = 1)
    {
        MinP = Check(minP, nameof(minP));
        MinTokensToKeep = Guard.Positive(minTokensToKeep, nameof(minTokensToKeep));
    }

    /// <summary>minP, the fraction of the top probability a token needs to survive, in [0, 1].</summary>
    public double MinP { get; }

    /// <summary>Minimum number of tokens kept.</summary>
    public int MinTokensToKeep { get; }

    /// <inheritdoc />
    public string Name => "min-p " + MinP.ToString("G4", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Process(ReadOnlySpan<int> context, Span<float> logits)
    {
        float max = LogitsChecks.Processed(logits, nameof(logits));
        int finite = 0;
        foreach (float l in logits) if (!float.IsNegativeInfinity(l)) finite++;
        // The minTokensToKeep-th ranked finite token: every token at or above it survives regardless of minP.
        (float Logit, int Id) floor = (float.PositiveInfinity, int.MaxValue);
        int keep = Math.Min(MinTokensToKeep, finite);
        if (keep > 1)
        {
            var keys = new ulong[finite];
            int k = 0;
            for (int i = 0; i < logits.Length; i++)
                if (!float.IsNegativeInfinity(logits[i])) keys[k++] = TokenOrder.Key(logits[i], i);
            ulong key = Selection.KthLargest(keys.AsSpan(), keep);
            floor = (TokenOrder.Logit(key), TokenOrder.Id(key));
        }
        for (int i = 0; i < logits.Length; i++)
        {
            float l = logits[i];
            if (float.IsNegativeInfinity(l)) continue;
            bool belowMinP = Math.Exp((double)l - max) < MinP;
            if (belowMinP && !TokenOrder.AtOrAbove(l, i, floor.Logit, floor.Id)) logits[i] = float.NegativeInfinity;
        }
    }

    internal static double Check(double minP, string name) =>
        minP >= 0 && minP <= 1
            ? minP
            : throw new ArgumentOutOfRangeException(name, minP, $"{name} must lie in [0, 1]; got {minP.ToString(CultureInfo.InvariantCulture)}.");
}
