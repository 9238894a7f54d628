namespace LlmNotebooks.Sampling;

/// <summary>
/// The autoregressive loop around a <see cref="NextTokenSelector"/>: ask the model for next-token logits, pick a
/// token, append it, repeat. Deterministic for a given model, selector and seed.
/// </summary>
public static class Decoding
{
    /// <summary>
    /// Generates up to <paramref name="maxNewTokens"/> tokens after <paramref name="prompt"/>.
    /// Each step calls <paramref name="nextTokenLogits"/> with the whole sequence so far (prompt + generated), copies
    /// the returned logits (the selector may overwrite its copy) and asks <paramref name="selector"/> for a token.
    /// </summary>
    /// <param name="nextTokenLogits">The model: sequence so far → raw next-token logits, shape [vocabSize] (same size every call).</param>
    /// <param name="prompt">Prompt token ids, oldest first (may be empty if the model accepts that).</param>
    /// <param name="maxNewTokens">Number of tokens to generate (≥ 0), fewer if <paramref name="stopToken"/> is produced.</param>
    /// <param name="selector">The decoding strategy, e.g. <see cref="SamplingPipeline.Greedy"/> or a pipeline's <see cref="SamplingPipeline.AsSelector"/>.</param>
    /// <param name="random">The random source handed to the selector.</param>
    /// <param name="stopToken">If set, generation stops after this token is produced (it is included in the result).</param>
    /// <returns>The generated tokens only (without the prompt), length ≤ maxNewTokens.</returns>
    /// <exception cref="ArgumentNullException">A delegate, the prompt or the random source is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNewTokens"/> &lt; 0.</exception>
    /// <exception cref="InvalidOperationException">The model returned null, an empty vector, a vector of another size than before, or the selector returned an id outside [0, vocabSize).</exception>
    public static int[] Generate(Func<IReadOnlyList<int>, float[]> nextTokenLogits, IReadOnlyList<int> prompt, int maxNewTokens,
        NextTokenSelector selector, Random random, int? stopToken = null)
    {
        ArgumentNullException.ThrowIfNull(nextTokenLogits);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(random);
        Guard.NonNegative(maxNewTokens, nameof(maxNewTokens));
        var sequence = new List<int>(prompt);
        var generated = new List<int>(maxNewTokens);
        int vocabSize = -1;
        for (int step = 0; step < maxNewTokens; step++)
        {
            float[] logits = nextTokenLogits(sequence)
                ?? throw new InvalidOperationException($"The model returned null logits at step {step}.");
            if (logits.Length == 0 || (vocabSize >= 0 && logits.Length != vocabSize))
                throw new InvalidOperationException(
                    $"The model returned {logits.Length} logits at step {step}; expected a non-empty vector of constant size{(vocabSize >= 0 ? $" {vocabSize}" : "")}.");
            vocabSize = logits.Length;
            var copy = (float[])logits.Clone();
            int token = selector(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sequence), copy, random);
            if ((uint)token >= (uint)vocabSize)
                throw new InvalidOperationException($"The selector returned token {token}, outside [0, {vocabSize}).");
            sequence.Add(token);
            generated.Add(token);
            if (token == stopToken) break;
        }
        return generated.ToArray();
    }

    /// <summary>
    /// Draws <paramref name="count"/> independent continuations of the same prompt with one <see cref="Random"/>
    /// seeded by <paramref name="seed"/> (sample j uses the draws after sample j − 1's), so the whole set is reproducible.
    /// </summary>
    /// <param name="nextTokenLogits">The model (see <see cref="Generate"/>).</param>
    /// <param name="prompt">Prompt token ids.</param>
    /// <param name="maxNewTokens">Tokens per sample (≥ 0).</param>
    /// <param name="selector">The decoding strategy.</param>
    /// <param name="count">Number of samples (≥ 1).</param>
    /// <param name="seed">Seed of the single <see cref="Random"/> used for all samples.</param>
    /// <param name="stopToken">Optional stop token (see <see cref="Generate"/>).</param>
    /// <returns><paramref name="count"/> generated sequences (prompt excluded).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 1 or <paramref name="maxNewTokens"/> &lt; 0.</exception>
    public static int[][] SampleMany(Func<IReadOnlyList<int>, float[]> nextTokenLogits, IReadOnlyList<int> prompt, int maxNewTokens,
        NextTokenSelector selector, int count, int seed, int? stopToken = null)
    {
        Guard.Positive(count, nameof(count));
        Guard.NonNegative(maxNewTokens, nameof(maxNewTokens));
        var random = new Random(seed);
        var samples = new int[count][];
        for (int j = 0; j < count; j++)
            samples[j] = Generate(nextTokenLogits, prompt, maxNewTokens, selector, random, stopToken);
        return samples;
    }
}
