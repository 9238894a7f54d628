namespace LlmNotebooks.Sampling;

/// <summary>
/// One stage of a decoding pipeline: rewrites next-token logits in place, as Hugging Face transformers'
/// LogitsProcessor / LogitsWarper do (generation/logits_process.py). Filtering processors set removed tokens to -∞
/// (HF's default filter_value), which softmax turns into probability 0.
/// Contract: the logits are processed logits (finite or -∞, at least one finite; NaN/+∞ rejected);
/// a processor validates everything before writing, so on an exception the logits are unchanged.
/// </summary>
public interface ILogitsProcessor
{
    /// <summary>Short label with the parameter, e.g. "top-p 0.9"; used in stage-by-stage views.</summary>
    string Name { get; }

    /// <summary>Rewrites <paramref name="logits"/> (shape [vocabSize]) in place.</summary>
    /// <param name="context">Token ids seen so far, oldest first (used by penalties; ignored by warpers).</param>
    /// <param name="logits">Next-token logits, shape [vocabSize]; finite or -∞.</param>
    /// <exception cref="ArgumentException">NaN/+∞ or no finite entry in <paramref name="logits"/>, or a context id outside [0, vocabSize).</exception>
    void Process(ReadOnlySpan<int> context, Span<float> logits);
}
