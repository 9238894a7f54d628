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
}
