using LlmNotebooks.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Picking one token from (processed) logits: greedy argmax and seeded categorical sampling.
/// Inputs are processed logits: -∞ marks a filtered token (never chosen); NaN, +∞, an empty vector or a vector with
/// no finite entry throw <see cref="ArgumentException"/>.
/// </summary>
public static class Samplers
{
    /// <summary>
    /// Greedy choice: the index of the largest logit; among equal maxima the lowest index, as torch.argmax documents
    /// ("the indices corresponding to the first maximal value are returned").
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <returns>A token id in [0, vocabSize).</returns>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        LogitsChecks.Processed(logits, nameof(logits));
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    /// <summary>
    /// Draws token i with probability softmax(l)_i by inverse-CDF sampling: u = random.NextDouble()·Z with
    /// Z = Σ_j exp(l_j − max), return the first i whose cumulative weight exceeds u. Uses exactly one
    /// <see cref="Random.NextDouble"/> per call, so the same seed gives the same token. Filtered (-∞) tokens have
    /// weight 0 and are never drawn.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="random">The random source.</param>
    /// <returns>A token id in [0, vocabSize) with a finite logit.</returns>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static int Sample(ReadOnlySpan<float> logits, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double max = LogitsChecks.Processed(logits, nameof(logits));
        double z = Softmax.SumExpShifted(logits, max);
        double u = random.NextDouble() * z;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < logits.Length; i++)
        {
            double w = Math.Exp(logits[i] - max);
            if (w <= 0) continue;
            cumulative += w;
            lastPositive = i;
            if (cumulative > u) return i;
        }
        return lastPositive; // u rounded up to the full sum: the last token with positive weight
    }
}
