using LlmNotebooks.Sampling;

namespace LlmNotebooks.TinyGpt;

/// <summary>
/// The two plain decoding steps TinyGpt needs by itself: greedy and sampling from the unmodified softmax. Temperature,
/// top-k, top-p and other logits processors live in <see cref="LlmNotebooks.Sampling"/> and plug in through the same
/// <see cref="NextTokenSelector"/> delegate.
/// </summary>
public static class BasicSelectors
{
    /// <summary>Greedy decoding: the id of the largest logit (the smallest such id on ties). Ignores the random source.</summary>
    /// <exception cref="ArgumentException">Empty logits or a NaN logit.</exception>
    public static readonly NextTokenSelector Greedy = (_, logits, _) =>
    {
        Guard.NotEmpty<float>(logits);
        int best = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (float.IsNaN(logits[i])) throw new ArgumentException($"logits[{i}] is NaN.", nameof(logits));
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    };

    /// <summary>
    /// Ancestral sampling from softmax(logits): draws u ~ U[0, 1) from the random source and returns the first id whose
    /// cumulative probability exceeds u (inverse-CDF sampling). Same seed → same token.
    /// </summary>
    /// <exception cref="ArgumentException">Empty logits or a NaN/Inf logit.</exception>
    public static readonly NextTokenSelector Sample = (_, logits, random) =>
    {
        var p = TinyGptModel.Softmax(logits);
        double u = random.NextDouble(), cumulative = 0;
        for (int i = 0; i < p.Length; i++)
        {
            cumulative += p[i];
            if (u < cumulative) return i;
        }
        int last = p.Length - 1; // u within rounding of 1: the last token with non-zero probability
        while (last > 0 && p[last] == 0) last--;
        return last;
    };
}
