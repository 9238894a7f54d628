using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

public class DecodingStatisticsTests
{
    // distinct-n by hand (Li et al. 2016, n-gram-normalised): samples [1 2 3] and [1 2 4].
    // unigrams 1 2 3 1 2 4 → 4 distinct / 6; bigrams (1 2) (2 3) (1 2) (2 4) → 3 distinct / 4.
    [Fact]
    public void Distinct_n_counts_distinct_over_total_n_grams()
    {
        int[][] samples = [[1, 2, 3], [1, 2, 4]];
        Assert.Equal(4.0 / 6, DecodingStatistics.DistinctN(samples, 1), 1e-15);
        Assert.Equal(3.0 / 4, DecodingStatistics.DistinctN(samples, 2), 1e-15);
        Assert.Equal(1.0, DecodingStatistics.DistinctN(samples, 3), 1e-15); // (1 2 3), (1 2 4); no n-gram across samples
    }

    // seq-rep-n as in facebookresearch/unlikelihood_training custom/metrics.py (1 − |distinct n-grams| / |n-grams|):
    // [1 2 1 2 1 2] has bigrams 12 21 12 21 12 → 1 − 2/5 = 0.6; unigrams → 1 − 2/6.
    [Fact]
    public void Sequence_repetition_matches_the_unlikelihood_reference_formula()
    {
        int[] loop = [1, 2, 1, 2, 1, 2];
        Assert.Equal(0.6, DecodingStatistics.SequenceRepetition(loop, 2), 1e-15);
        Assert.Equal(1 - 2.0 / 6, DecodingStatistics.SequenceRepetition(loop, 1), 1e-15);
        Assert.Equal(0.0, DecodingStatistics.SequenceRepetition([1, 2, 3, 4], 2));
        Assert.Equal((0.6 + 0.0) / 2, DecodingStatistics.MeanSequenceRepetition([loop, [1, 2, 3, 4]], 2), 1e-15);
    }

    [Fact]
    public void N_gram_measures_reject_undefined_ratios()
    {
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => DecodingStatistics.DistinctN([[1]], 0)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => DecodingStatistics.DistinctN([[1], [2]], 2)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentException>(() => DecodingStatistics.SequenceRepetition([1], 2)).ParamName);
        Assert.Throws<ArgumentException>(() => DecodingStatistics.MeanSequenceRepetition([], 1));
    }

    [Fact]
    public void Entropy_rises_with_temperature_from_zero_towards_ln_n()
    {
        float[] logits = [3f, 1f, 0.5f, -2f];
        double[] temperatures = [0.01, 0.1, 0.5, 1, 2, 10, 1e6];
        var h = DecodingStatistics.EntropyVersusTemperature(logits, temperatures);
        for (int i = 1; i < h.Length; i++) Assert.True(h[i] > h[i - 1]);
        Assert.Equal(0.0, h[0], 1e-12);
        Assert.Equal(Math.Log(4), h[^1], 1e-5);
        Assert.Equal(Softmax.EntropyNats(logits), h[3], 1e-15);
        Assert.Equal("temperatures[1]", Assert.Throws<ArgumentOutOfRangeException>(
            () => DecodingStatistics.EntropyVersusTemperature(logits, [1.0, 0.0])).ParamName);
    }
}

public class MeanNegativeLogLikelihoodTests
{
    // A model that ignores its input and predicts P = [1/2, 1/4, 1/4] at every position (logits = ln P).
    private static float[,] Fixed(IReadOnlyList<int> ids)
    {
        var logits = new float[ids.Count, 3];
        for (int t = 0; t < ids.Count; t++)
        {
            logits[t, 0] = (float)Math.Log(0.5);
            logits[t, 1] = logits[t, 2] = (float)Math.Log(0.25);
        }
        return logits;
    }

    // By hand: samples [0, 1] and [2] score ln 2 + ln 4 + ln 4 = 5 ln 2 over 3 generated tokens. The prompt's own
    // tokens are not scored.
    [Fact]
    public void Scores_only_generated_tokens_with_their_model_probability()
    {
        double nll = DecodingStatistics.MeanNegativeLogLikelihood(Fixed, [0, 0, 0], [[0, 1], [2]]);
        Assert.Equal(5 * Math.Log(2) / 3, nll, 1e-6);
        // uniform logits over 4 tokens: every token costs ln 4
        float[,] Uniform(IReadOnlyList<int> ids) => new float[ids.Count, 4];
        Assert.Equal(Math.Log(4), DecodingStatistics.MeanNegativeLogLikelihood(Uniform, [3], [[0, 1, 2, 3], []]), 1e-12);
    }

    // Row t must score the token after ids[t]: a "counter" model (next = previous + 1 mod 5, logit 20) finds the counting
    // continuation almost certain and a sequence that steps by 2 (wrong at every position) almost impossible.
    [Fact]
    public void Row_t_scores_the_token_after_position_t()
    {
        float[,] Counter(IReadOnlyList<int> ids)
        {
            var logits = new float[ids.Count, 5];
            for (int t = 0; t < ids.Count; t++) logits[t, (ids[t] + 1) % 5] = 20f;
            return logits;
        }
        double counting = DecodingStatistics.MeanNegativeLogLikelihood(Counter, [0], [[1, 2, 3, 4]]);
        double shifted = DecodingStatistics.MeanNegativeLogLikelihood(Counter, [0], [[2, 4, 1, 3]]);
        Assert.Equal(Math.Log(1 + 4 * Math.Exp(-20)), counting, 1e-12);
        Assert.Equal(20 + Math.Log(1 + 4 * Math.Exp(-20)), shifted, 1e-4);
    }

    [Fact]
    public void Rejects_undefined_means_and_a_misbehaving_model()
    {
        Assert.Equal("prompt", Assert.Throws<ArgumentException>(
            () => DecodingStatistics.MeanNegativeLogLikelihood(Fixed, [], [[0]])).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(
            () => DecodingStatistics.MeanNegativeLogLikelihood(Fixed, [0], [[], []])).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(
            () => DecodingStatistics.MeanNegativeLogLikelihood(Fixed, [0], [[3]])).ParamName);
        Assert.Throws<ArgumentNullException>(() => DecodingStatistics.MeanNegativeLogLikelihood(Fixed, [0], [null!]));
        Assert.Throws<InvalidOperationException>(
            () => DecodingStatistics.MeanNegativeLogLikelihood(ids => new float[ids.Count - 1, 3], [0], [[1]]));
        Assert.Throws<InvalidOperationException>(
            () => DecodingStatistics.MeanNegativeLogLikelihood(ids => new float[ids.Count, 3 + ids.Count], [0], [[1], [1, 2]]));
        Assert.Throws<InvalidOperationException>(() => DecodingStatistics.MeanNegativeLogLikelihood(
            ids => { var l = new float[ids.Count, 3]; l[0, 1] = float.NaN; return l; }, [0], [[1]]));
    }
}
