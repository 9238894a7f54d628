using CsCheck;
using LlmNotebooks.Numerics;

namespace LlmNotebooks.Tests.Numerics;

public class SoftmaxTests
{
    // Closed form e^i / Σ_j e^j for [1, 2, 3]; values and entropy from numpy 1.24 / torch 1.13 in float64:
    // [0.09003057317038045, 0.2447284710547976, 0.6652409557748218], H = 0.8323955818399388 nats.
    [Fact]
    public void Softmax_of_1_2_3_matches_float64_reference()
    {
        var p = Softmax.Probabilities([1f, 2f, 3f]);
        Assert.Equal(0.09003057317038045, p[0], 1e-14);
        Assert.Equal(0.2447284710547976, p[1], 1e-14);
        Assert.Equal(0.6652409557748218, p[2], 1e-14);
        Assert.Equal(0.8323955818399388, Softmax.EntropyNats([1f, 2f, 3f]), 1e-13);
        Assert.Equal(0.8323955818399388 / Math.Log(2), Softmax.EntropyBits([1f, 2f, 3f]), 1e-13);
    }

    [Fact]
    public void Softmax_is_shift_invariant_and_does_not_overflow()
    {
        var big = Softmax.Probabilities([1000f, 1000f, 999f]);
        var small = Softmax.Probabilities([1f, 1f, 0f]);
        for (int i = 0; i < 3; i++) Assert.Equal(small[i], big[i], 1e-15);
        Assert.Equal(1.0, big.Sum(), 1e-15);
    }

    [Fact]
    public void Log_softmax_stays_finite_where_the_probability_underflows()
    {
        var logP = Softmax.LogProbabilities([-1000f, 0f]);
        Assert.Equal(-1000.0, logP[0], 1e-10); // exp(-1000) underflows double; its log does not
        Assert.Equal(0.0, logP[1], 1e-10);
        Assert.Equal(0.0, Softmax.Probabilities([-1000f, 0f])[0]);
    }

    [Fact]
    public void Filtered_tokens_get_probability_zero_and_log_probability_minus_infinity()
    {
        float[] logits = [0f, float.NegativeInfinity, 0f];
        Assert.Equal([0.5, 0.0, 0.5], Softmax.Probabilities(logits));
        Assert.True(double.IsNegativeInfinity(Softmax.LogProbabilities(logits)[1]));
        Assert.Equal(1.0, Softmax.EntropyBits(logits), 1e-15); // a fair coin: 1 bit
    }

    [Fact]
    public void Entropy_of_uniform_is_ln_n_and_of_one_hot_is_zero()
    {
        Assert.Equal(Math.Log(50_257), Softmax.EntropyNats(new float[50_257]), 1e-10);
        Assert.Equal(0.0, Softmax.EntropyNats([5f, float.NegativeInfinity, float.NegativeInfinity]));
        Assert.Equal(0.0, Softmax.EntropyNats([0f, -2000f]), 1e-15);
    }

    [Fact]
    public void Temperature_argument_scales_logits()
    {
        var p = Softmax.Probabilities([0f, (float)Math.Log(2)], temperature: 0.5);
        Assert.Equal(0.2, p[0], 1e-6);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.Probabilities([1f], 0)).ParamName);
    }

    [Fact]
    public void Bad_inputs_are_rejected_and_destination_is_untouched()
    {
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Softmax.Probabilities([])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Softmax.Probabilities([float.NaN])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Softmax.EntropyNats([float.PositiveInfinity])).ParamName);
        var destination = new double[] { 7, 7 };
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Softmax.Probabilities([1f, 2f, 3f], destination)).ParamName);
        Assert.Equal([7.0, 7.0], destination);
    }

    [Fact]
    public void Probabilities_sum_to_one_and_entropy_is_bounded_property()
    {
        Gen.Float[-50f, 50f].Array[1, 500].Sample(logits =>
        {
            var p = Softmax.Probabilities(logits);
            Assert.Equal(1.0, p.Sum(), 1e-12); // a tolerance, not rounding digits: those flip when the two values straddle a rounding boundary
            Assert.All(p, q => Assert.InRange(q, 0.0, 1.0));
            double h = Softmax.EntropyNats(logits);
            Assert.InRange(h, 0.0, Math.Log(logits.Length) + 1e-12);
            var logP = Softmax.LogProbabilities(logits);
            for (int i = 0; i < p.Length; i++) Assert.Equal(p[i], Math.Exp(logP[i]), 1e-12);
        }, iter: 500);
    }

    [Fact]
    public void Negative_log_likelihood_is_the_cross_entropy_of_one_token()
    {
        // logits [0, ln 3] → p = [1/4, 3/4]: −ln p_0 = ln 4, −ln p_1 = ln 4/3.
        float[] logits = [0f, (float)Math.Log(3)];
        Assert.Equal(Math.Log(4), Softmax.NegativeLogLikelihood(logits, 0), 1e-6);
        Assert.Equal(Math.Log(4.0 / 3), Softmax.NegativeLogLikelihood(logits, 1), 1e-6);
        Assert.True(double.IsPositiveInfinity(Softmax.NegativeLogLikelihood([1f, float.NegativeInfinity], 1)));
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.NegativeLogLikelihood(logits, 2)).ParamName);
    }

    [Fact]
    public void Negative_log_likelihood_equals_minus_the_log_probability_even_for_huge_logits()
    {
        Gen.Float[-80f, 80f].Array[2, 64].Select(Gen.Double[0.1, 4]).Sample((logits, t) =>
        {
            var logP = Softmax.LogProbabilities(logits, t);
            for (int i = 0; i < logits.Length; i++)
                Assert.True(Math.Abs(-logP[i] - Softmax.NegativeLogLikelihood(logits, i, t)) <= 1e-9 * Math.Max(1, Math.Abs(logP[i])));
        });
    }
}
