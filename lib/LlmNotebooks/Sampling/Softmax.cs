namespace LlmNotebooks.Sampling;

/// <summary>
/// Numerically stable softmax, log-softmax and entropy of a logits vector, computed in double.
/// softmax(l)_i = exp(l_i − m) / Σ_j exp(l_j − m) with m = max_j l_j (subtracting m changes nothing mathematically and
/// keeps every exp ≤ 1, so nothing overflows; Goodfellow, Bengio &amp; Courville, Deep Learning, 2016, §4.1).
/// Inputs are processed logits: -∞ entries are filtered tokens with probability 0; NaN, +∞, an empty vector, or a
/// vector with no finite entry throw <see cref="ArgumentException"/>.
/// </summary>
public static class Softmax
{
    /// <summary>Probabilities p = softmax(l / T), shape [vocabSize], summing to 1; filtered (-∞) tokens get 0.</summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="temperature">T &gt; 0 (finite); the default 1 is the plain softmax.</param>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static double[] Probabilities(ReadOnlySpan<float> logits, double temperature = 1.0)
    {
        var p = new double[logits.Length];
        Probabilities(logits, p, temperature);
        return p;
    }

    /// <summary>Writes p = softmax(l / T) into <paramref name="destination"/>, shape [vocabSize].</summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="destination">Output, same length as <paramref name="logits"/>; untouched if an argument is bad.</param>
    /// <param name="temperature">T &gt; 0 (finite).</param>
    /// <exception cref="ArgumentException">Bad logits, or a destination of another length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static void Probabilities(ReadOnlySpan<float> logits, Span<double> destination, double temperature = 1.0)
    {
        double m = Prepare(logits, destination.Length, temperature);
        double z = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double e = Math.Exp((logits[i] - m) / temperature); // exp(-∞) = 0
            destination[i] = e;
            z += e;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] /= z;
    }

    /// <summary>
    /// Log-probabilities log softmax(l / T)_i = (l_i − m)/T − ln Σ_j exp((l_j − m)/T), shape [vocabSize], in nats;
    /// filtered tokens get -∞. Accurate even where the probability underflows to 0 in double.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="temperature">T &gt; 0 (finite).</param>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static double[] LogProbabilities(ReadOnlySpan<float> logits, double temperature = 1.0)
    {
        double m = Prepare(logits, logits.Length, temperature);
        double logZ = LogSumExpShifted(logits, m, temperature);
        var result = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) result[i] = (logits[i] - m) / temperature - logZ;
        return result;
    }

    /// <summary>
    /// Cross-entropy of one target token, −log softmax(l / T)_target = ln Σ_j exp((l_j − m)/T) − (l_target − m)/T, in
    /// nats, without allocating: the per-token loss of a language model (Radford et al. 2018, eq. 1), whose mean over a
    /// text is the log of its perplexity. +∞ for a filtered (-∞) target.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="target">The token that came next, in [0, vocabSize).</param>
    /// <param name="temperature">T &gt; 0 (finite).</param>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="target"/> outside [0, vocabSize), or a bad temperature.</exception>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int target, double temperature = 1.0)
    {
        double m = Prepare(logits, logits.Length, temperature);
        if ((uint)target >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(target), target, $"target must lie in [0, {logits.Length}); got {target}.");
        return LogSumExpShifted(logits, m, temperature) - (logits[target] - m) / temperature;
    }

    /// <summary>
    /// Shannon entropy H = −Σ_i p_i ln p_i of softmax(l / T), in nats (0 ≤ H ≤ ln(number of finite logits));
    /// terms with p_i = 0 contribute 0. Computed from log-probabilities, so it stays accurate for very peaked inputs.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="temperature">T &gt; 0 (finite).</param>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static double EntropyNats(ReadOnlySpan<float> logits, double temperature = 1.0)
    {
        double m = Prepare(logits, logits.Length, temperature);
        double logZ = LogSumExpShifted(logits, m, temperature);
        double h = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double logP = (logits[i] - m) / temperature - logZ;
            double p = Math.Exp(logP);
            if (p > 0) h -= p * logP;
        }
        return Math.Max(h, 0); // rounding can leave −1e-17 for a one-hot distribution
    }

    /// <summary>Entropy of softmax(l / T) in bits: <see cref="EntropyNats"/> / ln 2.</summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ allowed.</param>
    /// <param name="temperature">T &gt; 0 (finite).</param>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static double EntropyBits(ReadOnlySpan<float> logits, double temperature = 1.0) =>
        EntropyNats(logits, temperature) / Math.Log(2);

    private static double Prepare(ReadOnlySpan<float> logits, int destinationLength, double temperature)
    {
        Guard.PositiveFinite(temperature, nameof(temperature));
        float m = LogitsChecks.Processed(logits, "logits");
        if (destinationLength != logits.Length)
            throw new ArgumentException(
                $"destination must have the length of logits ({logits.Length}); got {destinationLength}.", "destination");
        return m;
    }

    // ln Σ_j exp((l_j − m)/T); the max term is exp(0) = 1, so the sum is in [1, vocabSize].
    private static double LogSumExpShifted(ReadOnlySpan<float> logits, double m, double temperature)
    {
        double z = 0;
        for (int i = 0; i < logits.Length; i++) z += Math.Exp((logits[i] - m) / temperature);
        return Math.Log(z);
    }
}
