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
    /// <param name="samples">Token sequences (e.g. from <see cref="Decoding.SampleMany"/>).</param>
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
