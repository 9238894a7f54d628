using System.Numerics.Tensors;
using LlmNotebooks.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>
/// The two input contracts of this namespace, in one place.
/// Raw model logits (pipeline entry, greedy selector): every entry finite, at least one entry.
/// Processed logits (processors, softmax, sampling): -∞ allowed and means "filtered by an earlier processor"
/// (probability 0, as in Hugging Face transformers' filter_value); NaN and +∞ rejected; at least one finite entry.
/// </summary>
internal static class LogitsChecks
{
    /// <summary>Validates raw model logits: non-empty, every entry finite (a model never emits NaN or ±∞).</summary>
    /// <exception cref="ArgumentException">Empty, or an entry is NaN or ±∞ (the message names the first bad index).</exception>
    public static void Raw(ReadOnlySpan<float> logits, string name = "logits")
    {
        Guard.NotEmpty(logits, name);
        // Max and Min propagate NaN, so both finite ⇔ every entry finite (vectorized); the loop only locates the culprit.
        if (float.IsFinite(TensorPrimitives.Max(logits)) && float.IsFinite(TensorPrimitives.Min(logits))) return;
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsFinite(logits[i]))
                throw new ArgumentException(
                    $"{name} are raw model logits and must all be finite; {name}[{i}] = {logits[i]}. " +
                    "-∞ is legal only between processors (a filtered token), not as model output.", name);
    }

    /// <summary>Validates processed logits (finite or -∞, at least one finite entry) and returns the largest entry.</summary>
    /// <exception cref="ArgumentException">Empty, an entry is NaN or +∞, or every entry is -∞.</exception>
    public static float Processed(ReadOnlySpan<float> logits, string name = "logits") => Softmax.CheckedMax(logits, name);

    /// <summary>Validates that every context token id lies in [0, vocabSize) (<see cref="Guard.TokenIds"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token id is negative or ≥ vocabSize (the message names its index).</exception>
    public static void Context(ReadOnlySpan<int> context, int vocabSize, string name = "context") => Guard.TokenIds(context, vocabSize, name);
}
