namespace LlmNotebooks.Gpt;

/// <summary>The activations <see cref="GptModel.Trace"/> recorded at tap points, and the logits of the same pass.</summary>
public sealed class GptTrace
{
    internal GptTrace(IReadOnlyDictionary<TapPoint, float[,]> activations, float[,] logits)
    {
        Activations = activations;
        Logits = logits;
    }

    /// <summary>Each recorded point's activations, shape [seqLen, width] (width dModel, 3·dModel at c_attn's output, dFf, …).</summary>
    public IReadOnlyDictionary<TapPoint, float[,]> Activations { get; }

    /// <summary>Next-token logits, shape [seqLen, vocabSize].</summary>
    public float[,] Logits { get; }

    /// <summary>The activations at a point written "module:input" or "module:output", e.g. trace["h.0.ln_1:output"].</summary>
    /// <exception cref="KeyNotFoundException">The point was not recorded.</exception>
    public float[,] this[string point] =>
        Activations.TryGetValue(TapPoint.Parse(point), out var m) ? m : throw new KeyNotFoundException($"The trace recorded no point {point}.");
}
