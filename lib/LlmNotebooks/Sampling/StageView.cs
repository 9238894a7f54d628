using LlmNotebooks.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>
/// The distribution after one pipeline stage, for display: logits, renormalised probabilities and the surviving
/// tokens. Produced by <see cref="SamplingPipeline.Trace"/>.
/// </summary>
/// <param name="Stage">Stage label: "logits" for the model's input, otherwise the processor's <see cref="ILogitsProcessor.Name"/>.</param>
/// <param name="Logits">Logits after the stage, shape [vocabSize]; -∞ = filtered.</param>
/// <param name="Probabilities">softmax(Logits), shape [vocabSize], summing to 1 (renormalised over the kept tokens).</param>
/// <param name="Kept">Token ids with a finite logit, most probable first (ties by id, descending; see <see cref="TopP"/>).</param>
/// <param name="EntropyNats">Entropy of <paramref name="Probabilities"/> in nats.</param>
public sealed record StageView(string Stage, float[] Logits, double[] Probabilities, int[] Kept, double EntropyNats)
{
    /// <summary>Entropy in bits (EntropyNats / ln 2).</summary>
    public double EntropyBits => EntropyNats / Math.Log(2);

    /// <summary>The view of one logits vector: softmax probabilities, the finite tokens most probable first, entropy.</summary>
    /// <param name="stage">Label.</param>
    /// <param name="logits">Processed logits, shape [vocabSize]; -∞ allowed. Copied.</param>
    /// <exception cref="ArgumentException">NaN/+∞, empty, or no finite entry.</exception>
    public static StageView From(string stage, ReadOnlySpan<float> logits)
    {
        var probabilities = Softmax.Probabilities(logits);
        var keys = new List<ulong>(logits.Length);
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsNegativeInfinity(logits[i])) keys.Add(TokenOrder.Key(logits[i], i));
        keys.Sort();
        keys.Reverse();
        return new StageView(stage, logits.ToArray(), probabilities, keys.Select(TokenOrder.Id).ToArray(), Softmax.EntropyNats(logits));
    }
}
