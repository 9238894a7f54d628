using System.Buffers;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Top-k truncation: keep the k largest logits, set the rest to -∞. Tokens tied with the k-th largest value are all
/// kept (the rule is "remove l_i &lt; k-th largest value"), so more than k tokens can survive.
/// k ≥ vocabSize keeps every token (the k largest of fewer than k values are all of them).
/// Source: Fan, Lewis &amp; Dauphin 2018, "Hierarchical Neural Story Generation", arXiv:1805.04833;
/// Hugging Face TopKLogitsWarper (same tie rule; k = max(topK, minTokensToKeep)).
/// The k-th largest value is found by quickselect on a copy, O(vocabSize) expected, no full sort.
/// </summary>
public sealed class TopKLogitsWarper : ILogitsProcessor
{
    /// <summary>Creates the warper.</summary>
    /// <param name="topK">k ≥ 1.</param>
    /// <param name="minTokensToKeep">Lower bound on k (≥ 1), as in HF: the effective k is max(topK, minTokensToKeep).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> &lt; 1 or <paramref name="minTokensToKeep"/> &lt; 1.</exception>
    public TopKLogitsWarper(int topK, int minTokensToKeep = 1)
    {
        TopK = Guard.Positive(topK, nameof(topK));
        MinTokensToKeep = Guard.Positive(minTokensToKeep, nameof(minTokensToKeep));
    }

    /// <summary>k (number of tokens kept, before ties).</summary>
    public int TopK { get; }

    /// <summary>Lower bound on k.</summary>
    public int MinTokensToKeep { get; }

    /// <inheritdoc />
    public string Name => $"top-k {TopK}";

    /// <inheritdoc />
    public void Process(ReadOnlySpan<int> context, Span<float> logits)
    {
        LogitsChecks.Processed(logits, nameof(logits));
        int k = Math.Max(TopK, MinTokensToKeep);
        if (k >= logits.Length) return;
        float kth = KthLargest(logits, k);
        for (int i = 0; i < logits.Length; i++)
            if (logits[i] < kth) logits[i] = float.NegativeInfinity;
    }

    /// <summary>The k-th largest entry (counting -∞ entries), 1 ≤ k ≤ logits.Length.</summary>
    internal static float KthLargest(ReadOnlySpan<float> logits, int k)
    {
        float[] scratch = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            Span<float> copy = scratch.AsSpan(0, logits.Length);
            logits.CopyTo(copy);
            return Selection.KthLargest(copy, k);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
