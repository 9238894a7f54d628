using System.Numerics.Tensors;

namespace LlmNotebooks.Numerics;

/// <summary>
/// The library's one softmax: softmax(l)_i = exp(l_i − m) / Σ_j exp(l_j − m) with m = max_j l_j, which keeps every exp ≤ 1
/// (Goodfellow, Bengio &amp; Courville, Deep Learning, 2016, §4.1). In double for probabilities, log-probabilities and
/// entropy (sampling); in float32 SIMD, in place, for attention scores (<see cref="InPlace"/>).
/// Inputs: finite or −∞ (a masked entry: a filtered token, a masked key), which gets probability 0; NaN, +∞, an empty
/// vector or one with no finite entry throw <see cref="ArgumentException"/>.
/// </summary>
public static class Softmax
{
    /// <summary>s ← softmax(s) in float32 (System.Numerics.Tensors SIMD); −∞ entries become 0.</summary>
    /// <param name="scores">Scores, e.g. one query's q·k/√d_h over the visible keys; −∞ allowed.</param>
    /// <exception cref="ArgumentException">Empty, an entry NaN or +∞, or every entry −∞.</exception>
    public static void InPlace(Span<float> scores)
    {
        if (!TryInPlace(scores)) CheckedMax(scores, nameof(scores)); // throws with the reason
    }

    /// <summary>As <see cref="InPlace"/>, but returns false (scores untouched) instead of throwing.</summary>
    public static bool TryInPlace(Span<float> scores)
    {
        if (scores.IsEmpty) return false;
        float max = TensorPrimitives.Max(scores); // NaN propagates, so one check covers NaN, +∞ and all −∞
        if (!float.IsFinite(max)) return false;
        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Exp(scores, scores);    // exp(−∞) = 0
        TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
        return true;
    }

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
        Guard.TokenId(target, logits.Length);
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
        float m = CheckedMax(logits, "logits");
        if (destinationLength != logits.Length)
            throw new ArgumentException(
                $"destination must have the length of logits ({logits.Length}); got {destinationLength}.", "destination");
        return m;
    }

    /// <summary>The largest entry, after checking the input contract (finite or −∞, at least one finite entry).</summary>
    /// <exception cref="ArgumentException">Empty, an entry NaN or +∞, or every entry −∞.</exception>
    internal static float CheckedMax(ReadOnlySpan<float> values, string name)
    {
        Guard.NotEmpty(values, name);
        float max = TensorPrimitives.Max(values); // vectorized; NaN propagates
        if (float.IsFinite(max)) return max;
        for (int i = 0; i < values.Length; i++)
            if (float.IsNaN(values[i]) || float.IsPositiveInfinity(values[i]))
                throw new ArgumentException($"{name} must be finite or -∞ (a masked entry); {name}[{i}] = {values[i]}.", name);
        throw new ArgumentException($"{name} has no finite entry: all {values.Length} are -∞ (masked), so there is nothing to normalize.", name);
    }

    /// <summary>Σ_j exp((l_j − m)/T) in double; with m the max the largest term is 1, so the sum lies in [1, length].</summary>
    internal static double SumExpShifted(ReadOnlySpan<float> logits, double m, double temperature = 1.0)
    {
        double z = 0;
        for (int i = 0; i < logits.Length; i++) z += Math.Exp((logits[i] - m) / temperature);
        return z;
    }

    private static double LogSumExpShifted(ReadOnlySpan<float> logits, double m, double temperature) =>
        Math.Log(SumExpShifted(logits, m, temperature));
}
