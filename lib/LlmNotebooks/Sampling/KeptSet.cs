using LlmNotebooks.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>
/// What one truncation (top-k, top-p, min-p, …) keeps of one next-token distribution, measured against the
/// distribution it was given: which tokens survive, how much of the input probability they carry, and how improbable
/// the least likely survivor was. Used to compare truncations side by side on the same logits.
/// </summary>
/// <param name="Processor">The processor's <see cref="ILogitsProcessor.Name"/>, e.g. "top-p 0.9".</param>
/// <param name="Kept">Kept token ids, most probable first (ties by id, descending; the order of <see cref="StageView.Kept"/>).</param>
/// <param name="KeptMass">Σ softmax(input)_i over the kept tokens, in (0, 1]: the share of the input distribution that survives.</param>
/// <param name="SmallestKeptProbability">softmax(input)_i of the least probable kept token (before renormalisation).</param>
public sealed record KeptSet(string Processor, int[] Kept, double KeptMass, double SmallestKeptProbability)
{
    /// <summary>Number of kept tokens.</summary>
    public int Count => Kept.Length;

    /// <summary>
    /// Runs <paramref name="processor"/> on a copy of <paramref name="logits"/> and reports what it keeps, with
    /// probabilities taken from softmax(<paramref name="logits"/>) (the processor's input, before renormalisation).
    /// </summary>
    /// <param name="processor">The truncation to measure (any <see cref="ILogitsProcessor"/>; a warper that filters nothing keeps every finite token).</param>
    /// <param name="logits">Its input logits, shape [vocabSize]; finite or -∞ (a token filtered earlier). Not modified.</param>
    /// <param name="context">Token ids so far, oldest first (only penalties read it); default empty.</param>
    /// <returns>The kept set; never empty, because every processor keeps at least one finite token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="processor"/> is null.</exception>
    /// <exception cref="ArgumentException">Empty logits, a NaN/+∞ logit, no finite logit, or a context id outside [0, vocabSize).</exception>
    public static KeptSet Of(ILogitsProcessor processor, ReadOnlySpan<float> logits, ReadOnlySpan<int> context = default)
    {
        ArgumentNullException.ThrowIfNull(processor);
        double[] input = Softmax.Probabilities(logits); // validates the logits
        LogitsChecks.Context(context, logits.Length, nameof(context));
        float[] processed = logits.ToArray();
        processor.Process(context, processed);
        var view = StageView.From(processor.Name, processed);
        double mass = 0;
        foreach (int id in view.Kept) mass += input[id];
        return new KeptSet(processor.Name, view.Kept, mass, input[view.Kept[^1]]);
    }
}
