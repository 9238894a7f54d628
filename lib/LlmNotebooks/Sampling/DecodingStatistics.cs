using LlmNotebooks.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Measures of what a decoding strategy produces: diversity (distinct-n), repetition (seq-rep-n) and the entropy of
/// the next-token distribution as a function of temperature. Pure and deterministic.
/// </summary>
public static class DecodingStatistics
{
    /// <summary>
    /// distinct-n over a set of samples: (number of distinct n-grams across all samples) / (number of n-grams across
    /// all samples), in [0, 1]; 1 = no n-gram repeats anywhere. N-grams do not cross sample boundaries.
    /// Source: Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation Models",
    /// arXiv:1510.03055. Note: the paper scales the distinct count by the number of generated tokens; this is
    /// the common n-gram-normalised variant (identical for n = 1; for n &gt; 1 the denominator has n − 1 fewer terms per sample).
    /// </summary>
    /// <param name="samples">Token sequences (e.g. repeated <see cref="Gpt.GptModel.Generate(ReadOnlySpan{int}, int, NextTokenSelector, Random, bool)"/> calls sharing one Random).</param>
    /// <param name="n">N-gram length ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> or one of its sequences is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">No sample is at least n tokens long (0 n-grams: the ratio is undefined).</exception>
    public static double DistinctN(IReadOnlyList<IReadOnlyList<int>> samples, int n)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Guard.Positive(n, nameof(n));
        var distinct = new HashSet<ReadOnlyMemory<int>>(NGramComparer.Instance);
        long total = 0;
        foreach (var sample in samples)
        {
            ArgumentNullException.ThrowIfNull(sample, nameof(samples));
            int[] tokens = sample.ToArray();
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                distinct.Add(tokens.AsMemory(i, n));
                total++;
            }
        }
        if (total == 0)
            throw new ArgumentException($"samples contain no {n}-gram (every sample is shorter than n = {n}).", nameof(samples));
        return (double)distinct.Count / total;
    }

    /// <summary>
    /// seq-rep-n of one sequence: 1 − (distinct n-grams) / (n-grams), in [0, 1); 0 = no repeated n-gram.
    /// Source: Welleck et al. 2019, "Neural Text Generation with Unlikelihood Training", arXiv:1908.04319
    /// (reference code: facebookresearch/unlikelihood_training, custom/metrics.py, pct_repeat_ngrams).
    /// </summary>
    /// <param name="tokens">One token sequence.</param>
    /// <param name="n">N-gram length ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">The sequence is shorter than n (0 n-grams).</exception>
    public static double SequenceRepetition(IReadOnlyList<int> tokens, int n)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        Guard.Positive(n, nameof(n));
        if (tokens.Count < n)
            throw new ArgumentException($"tokens has {tokens.Count} tokens, fewer than n = {n}: no {n}-gram.", nameof(tokens));
        int[] array = tokens.ToArray();
        var distinct = new HashSet<ReadOnlyMemory<int>>(NGramComparer.Instance);
        int total = array.Length - n + 1;
        for (int i = 0; i < total; i++) distinct.Add(array.AsMemory(i, n));
        return 1.0 - (double)distinct.Count / total;
    }

    /// <summary>Mean seq-rep-n over samples (the per-continuation average Welleck et al. report).</summary>
    /// <param name="samples">Token sequences, each at least n tokens long.</param>
    /// <param name="n">N-gram length ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> or one of its sequences is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">No samples, or a sample shorter than n.</exception>
    public static double MeanSequenceRepetition(IReadOnlyList<IReadOnlyList<int>> samples, int n)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("samples must not be empty.", nameof(samples));
        double sum = 0;
        foreach (var sample in samples)
        {
            ArgumentNullException.ThrowIfNull(sample, nameof(samples));
            sum += SequenceRepetition(sample, n);
        }
        return sum / samples.Count;
    }

    /// <summary>
    /// Mean negative log-likelihood, in nats per generated token, of continuations under a model (usually the one that
    /// generated them, at T = 1 and without truncation): −(1/N) Σ_samples Σ_t ln p(x_t | prompt, x_&lt;t), N = total
    /// generated tokens. exp of it is the continuations' perplexity. Holtzman et al. 2019 (arXiv:1904.09751, §4) compare
    /// it with the same model's score on human text: decoding that is too greedy scores far below, too random far above.
    /// Each sequence prompt + sample is scored in one call of <paramref name="logitsAtEveryPosition"/>.
    /// </summary>
    /// <param name="logitsAtEveryPosition">The model: ids → logits, shape [ids.Count, vocabSize]; row t scores the token after ids[t].</param>
    /// <param name="prompt">Prompt ids (≥ 1 token: the first generated token is scored from the last prompt position).</param>
    /// <param name="samples">Generated continuations (prompt excluded), e.g. from repeated <see cref="Gpt.GptModel.Generate(ReadOnlySpan{int}, int, NextTokenSelector, Random, bool)"/> calls; at least one token in all.</param>
    /// <returns>Nats per generated token, ≥ 0.</returns>
    /// <exception cref="ArgumentNullException">An argument or one of the samples is null.</exception>
    /// <exception cref="ArgumentException">An empty prompt, no generated token in all samples, or a token id outside [0, vocabSize) (ArgumentOutOfRangeException).</exception>
    /// <exception cref="InvalidOperationException">The model returned null, logits of another shape than [ids.Count, vocabSize] (vocabSize constant, ≥ 1), or a NaN/±∞ logit.</exception>
    public static double MeanNegativeLogLikelihood(Func<IReadOnlyList<int>, float[,]> logitsAtEveryPosition, IReadOnlyList<int> prompt,
        IReadOnlyList<IReadOnlyList<int>> samples)
    {
        ArgumentNullException.ThrowIfNull(logitsAtEveryPosition);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(samples);
        if (prompt.Count == 0) throw new ArgumentException("prompt must hold at least one token: the first generated token is scored from it.", nameof(prompt));
        long generated = 0;
        foreach (var sample in samples)
        {
            ArgumentNullException.ThrowIfNull(sample, nameof(samples));
            generated += sample.Count;
        }
        if (generated == 0) throw new ArgumentException("samples hold no generated token: the mean is undefined.", nameof(samples));

        double sum = 0;
        int vocabSize = -1;
        foreach (var sample in samples)
        {
            if (sample.Count == 0) continue;
            int[] sequence = [.. prompt, .. sample];
            float[,] logits = logitsAtEveryPosition(sequence)
                ?? throw new InvalidOperationException("The model returned null logits.");
            if (logits.GetLength(0) != sequence.Length || logits.GetLength(1) == 0 || (vocabSize >= 0 && logits.GetLength(1) != vocabSize))
                throw new InvalidOperationException(
                    $"The model returned logits of shape [{logits.GetLength(0)}, {logits.GetLength(1)}] for {sequence.Length} ids; " +
                    $"expected [{sequence.Length}, {(vocabSize >= 0 ? vocabSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : "vocabSize ≥ 1")}].");
            vocabSize = logits.GetLength(1);
            Guard.TokenIds(sequence.AsSpan(0, prompt.Count), vocabSize, nameof(prompt));
            Guard.TokenIds(sequence.AsSpan(prompt.Count), vocabSize, nameof(samples));
            var row = new float[vocabSize];
            for (int t = prompt.Count - 1; t < sequence.Length - 1; t++)
            {
                for (int j = 0; j < vocabSize; j++) row[j] = logits[t, j];
                if (!row.All(float.IsFinite))
                    throw new InvalidOperationException($"The model returned a NaN or ±∞ logit at position {t}.");
                sum += Softmax.NegativeLogLikelihood(row, sequence[t + 1]);
            }
        }
        return sum / generated;
    }

    /// <summary>
    /// Entropy H(softmax(l / T)) in nats for each temperature T: 0 ≤ H ≤ ln(number of finite logits); H is
    /// non-decreasing in T, tends to the entropy of the uniform distribution over the maximal logits as T → 0 and to
    /// ln(number of finite logits) as T → ∞.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="temperatures">Temperatures, each a finite number &gt; 0.</param>
    /// <returns>Entropies in nats, one per temperature.</returns>
    /// <exception cref="ArgumentException">Bad logits (NaN, +∞, empty or no finite entry).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A temperature is not a finite number &gt; 0.</exception>
    public static double[] EntropyVersusTemperature(ReadOnlySpan<float> logits, ReadOnlySpan<double> temperatures)
    {
        LogitsChecks.Processed(logits, nameof(logits));
        for (int j = 0; j < temperatures.Length; j++)
            TemperatureLogitsWarper.Check(temperatures[j], $"temperatures[{j}]");
        var result = new double[temperatures.Length];
        for (int j = 0; j < temperatures.Length; j++) result[j] = Softmax.EntropyNats(logits, temperatures[j]);
        return result;
    }

    private sealed class NGramComparer : IEqualityComparer<ReadOnlyMemory<int>>
    {
        public static readonly NGramComparer Instance = new();

        public bool Equals(ReadOnlyMemory<int> x, ReadOnlyMemory<int> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<int> gram)
        {
            var hash = new HashCode();
            foreach (int token in gram.Span) hash.Add(token);
            return hash.ToHashCode();
        }
    }
}
