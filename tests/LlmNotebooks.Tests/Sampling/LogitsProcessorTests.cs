using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

// Reference values from Hugging Face transformers, tests/generation/test_logits_process.py (named per test).
public class LogitsProcessorTests
{
    private static float[] Log(params double[] probabilities) => probabilities.Select(p => (float)Math.Log(p)).ToArray();
    private static float[] Uniform(int n) => Enumerable.Repeat(1f / n, n).ToArray();
    private static bool[] Filtered(float[] logits) => logits.Select(float.IsNegativeInfinity).ToArray();

    // ---- temperature ----

    // HF test_temperature_dist_warper: a uniform distribution stays uniform; T = 0.5 raises the peak and lowers the
    // valley, T = 1.3 does the opposite.
    [Fact]
    public void HF_test_temperature_dist_warper()
    {
        float[] uniform = Uniform(20);
        float[] tweaked = Uniform(20);
        tweaked[5] = 1f / 20 + 0.1f;   // peak
        tweaked[10] = 1f / 20 - 0.4f;  // valley
        var p = Softmax.Probabilities(tweaked);

        foreach (double t in new[] { 0.5, 1.3 })
        {
            float[] u = (float[])uniform.Clone();
            new TemperatureLogitsWarper(t).Process([], u);
            Assert.All(Softmax.Probabilities(u), q => Assert.Equal(1.0 / 20, q, 12));
        }
        float[] sharp = (float[])tweaked.Clone();
        new TemperatureLogitsWarper(0.5).Process([], sharp);
        var ps = Softmax.Probabilities(sharp);
        Assert.True(ps.Max() > p.Max() && ps.Min() < p.Min());
        float[] smooth = (float[])tweaked.Clone();
        new TemperatureLogitsWarper(1.3).Process([], smooth);
        var pm = Softmax.Probabilities(smooth);
        Assert.True(pm.Max() < p.Max() && pm.Min() > p.Min());
    }

    // Closed form: softmax([0, ln 2]) = [1/3, 2/3]; at T = 0.5 the logits double: softmax([0, 2 ln 2]) = [1/5, 4/5].
    [Fact]
    public void Temperature_divides_logits()
    {
        float[] logits = [0f, (float)Math.Log(2)];
        new TemperatureLogitsWarper(0.5).Process([], logits);
        var p = Softmax.Probabilities(logits);
        Assert.Equal(0.2, p[0], 1e-6);
        Assert.Equal(0.8, p[1], 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.7)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Temperature_must_be_positive_and_finite_and_zero_points_to_greedy(double temperature)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureLogitsWarper(temperature));
        Assert.Equal("temperature", e.ParamName);
        Assert.Contains("greedy", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Temperature_keeps_minus_infinity_and_refuses_overflow_without_writing()
    {
        float[] logits = [1f, float.NegativeInfinity];
        new TemperatureLogitsWarper(0.25).Process([], logits);
        Assert.Equal([4f, float.NegativeInfinity], logits);

        float[] big = [1f, 3e38f];
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureLogitsWarper(0.1).Process([], big));
        Assert.Equal([1f, 3e38f], big);
    }

    // The overflow is a property of these logits under this (valid) T, so the exception names the logits argument
    // (not the Temperature property), the offending index, and the range that would work: |l_i| ≤ T × float.MaxValue.
    [Fact]
    public void Temperature_overflow_names_the_logits_the_index_and_the_allowed_range()
    {
        float[] big = [1f, -3e38f, 2f];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureLogitsWarper(0.5).Process([], big));
        Assert.Equal("logits", e.ParamName);
        Assert.Equal(-3e38f, e.ActualValue);
        Assert.Contains("logits[1]", e.Message);
        Assert.Contains("1.7014117E+38", e.Message); // 0.5 × float.MaxValue = 2^127
        Assert.Contains("greedy", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([1f, -3e38f, 2f], big);

        // The pipeline reports the same parameter: the brief's reproduction, penalty θ = 2 then T = 1e-39.
        var pipeline = new SamplingPipeline { RepetitionPenalty = 2, Temperature = 1e-39 };
        Assert.Equal("logits", Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Process([2], new[] { 1f, 2f, 3f })).ParamName);
    }

    // ---- top-k ----

    // HF test_top_k_dist_warper: ramp 0..9 keeps the last 3; a ramp whose first half is lifted by 10 keeps indices 2..4.
    [Fact]
    public void HF_test_top_k_dist_warper_ramps()
    {
        float[] ramp = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        new TopKLogitsWarper(3).Process([], ramp);
        Assert.Equal([.. Enumerable.Repeat(true, 7), .. Enumerable.Repeat(false, 3)], Filtered(ramp));

        float[] lifted = Enumerable.Range(0, 10).Select(i => (float)(i < 5 ? i + 10 : i)).ToArray();
        new TopKLogitsWarper(3).Process([], lifted);
        Assert.Equal([true, true, false, false, false, true, true, true, true, true], Filtered(lifted));
    }

    // HF test_top_k_dist_warper, special cases: top_k = 1 with min_tokens_to_keep = 3 leaves a uniform distribution
    // unchanged (all 5 tokens tie with the 3rd largest) and keeps exactly 3 of a ramp 0..4.
    [Fact]
    public void HF_test_top_k_dist_warper_ties_and_min_tokens_to_keep()
    {
        float[] uniform = Uniform(5);
        new TopKLogitsWarper(1, minTokensToKeep: 3).Process([], uniform);
        Assert.DoesNotContain(true, Filtered(uniform));

        float[] ramp = [0f, 1f, 2f, 3f, 4f];
        new TopKLogitsWarper(1, minTokensToKeep: 3).Process([], ramp);
        Assert.Equal([true, true, false, false, false], Filtered(ramp));
    }

    [Fact]
    public void Top_k_keeps_every_token_tied_with_the_kth_value()
    {
        float[] logits = [1f, 3f, 3f, 2f];
        new TopKLogitsWarper(2).Process([], logits);
        Assert.Equal([true, false, false, true], Filtered(logits));

        float[] three = [3f, 3f, 3f, 1f];
        new TopKLogitsWarper(1).Process([], three);
        Assert.Equal([false, false, false, true], Filtered(three));
    }

    [Fact]
    public void Top_k_at_least_the_vocabulary_keeps_everything_and_k_below_1_is_an_error()
    {
        float[] logits = [1f, 2f];
        new TopKLogitsWarper(50).Process([], logits);
        Assert.Equal([1f, 2f], logits);
        Assert.Equal("topK", Assert.Throws<ArgumentOutOfRangeException>(() => new TopKLogitsWarper(0)).ParamName);
    }

    [Fact]
    public void Top_k_on_a_large_vocabulary_keeps_exactly_the_k_largest()
    {
        var rng = new Random(7);
        float[] logits = Enumerable.Range(0, 50_257).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] copy = (float[])logits.Clone();
        new TopKLogitsWarper(50).Process([], logits);
        var expected = copy.Select((x, i) => (x, i)).OrderByDescending(t => t.x).Take(50).Select(t => t.i).Order().ToArray();
        var kept = logits.Select((x, i) => (x, i)).Where(t => float.IsFinite(t.x)).Select(t => t.i).ToArray();
        Assert.Equal(expected, kept);
    }

    // ---- min-p ----

    // HF test_min_p_dist_warper, min_p = 0.05: [0.9, 0.0274, 0.047, 0.0274] keeps 0.9 and 0.047 (0.047 > 0.045);
    // [0.15, 0.3, 0.3, 0.25] keeps all; [0.97, 0.01, 0.01, 0.01] keeps only the first.
    [Theory]
    [InlineData(new[] { 0.9, 0.0274, 0.047, 0.0274 }, new[] { false, true, false, true })]
    [InlineData(new[] { 0.15, 0.3, 0.3, 0.25 }, new[] { false, false, false, false })]
    [InlineData(new[] { 0.97, 0.01, 0.01, 0.01 }, new[] { false, true, true, true })]
    public void HF_test_min_p_dist_warper(double[] probabilities, bool[] filtered)
    {
        float[] logits = Log(probabilities);
        new MinPLogitsWarper(0.05).Process([], logits);
        Assert.Equal(filtered, Filtered(logits));
    }

    // HF test_min_p_dist_warper, edge cases: ramp arange(10) - 5 with min_p 0.9 and min_tokens_to_keep 2 keeps 2
    // tokens; the ramp * 100 would keep 1 and keeps 2.
    [Fact]
    public void HF_test_min_p_dist_warper_ramps_with_min_tokens_to_keep()
    {
        float[] ramp = Enumerable.Range(0, 10).Select(i => (float)(i - 5)).ToArray();
        float[] steep = ramp.Select(x => x * 100f).ToArray();
        foreach (var logits in new[] { ramp, steep })
        {
            new MinPLogitsWarper(0.9, minTokensToKeep: 2).Process([], logits);
            Assert.Equal([8, 9], Enumerable.Range(0, 10).Where(i => float.IsFinite(logits[i])));
        }
    }

    [Fact]
    public void Min_p_keeps_a_token_exactly_at_the_threshold_and_zero_keeps_all()
    {
        // ratio exp(l_i − l_max): exactly minP for token 1 (kept: HF removes only p_i < minP·p_max), just below for token 2.
        float[] logits = [0f, -0.75f, -0.7500001f];
        new MinPLogitsWarper(Math.Exp(-0.75)).Process([], logits);
        Assert.Equal([false, false, true], Filtered(logits));
        float[] all = [0f, -50f, -100f];
        new MinPLogitsWarper(0).Process([], all);
        Assert.DoesNotContain(true, Filtered(all));
        Assert.Equal("minP", Assert.Throws<ArgumentOutOfRangeException>(() => new MinPLogitsWarper(1.5)).ParamName);
        Assert.Equal("minP", Assert.Throws<ArgumentOutOfRangeException>(() => new MinPLogitsWarper(double.NaN)).ParamName);
    }

    // ---- repetition penalty ----

    // HF test_repetition_penalty_dist_process: vocab 10, uniform 0.1 logits; row 0 has logit[0] = −0.1 and context
    // [0, 1]; row 1 has logit[5] = 0.4 and context [5, 0]; penalty 2 → −0.2, 0.05 and 0.05, 0.2.
    [Fact]
    public void HF_test_repetition_penalty_dist_process()
    {
        float[] row0 = Uniform(10);
        row0[0] = -0.1f;
        new RepetitionPenaltyLogitsProcessor(2.0).Process([0, 1], row0);
        Assert.Equal(-0.2f, row0[0], 1e-6);
        Assert.Equal(0.05f, row0[1], 1e-6);
        Assert.Equal(0.1f, row0[2], 1e-6); // not in the context: unchanged

        float[] row1 = Uniform(10);
        row1[5] = 0.4f;
        new RepetitionPenaltyLogitsProcessor(2.0).Process([5, 0], row1);
        Assert.Equal(0.05f, row1[0], 1e-6);
        Assert.Equal(0.2f, row1[5], 1e-6);
    }

    [Fact]
    public void Repetition_penalty_applies_once_per_distinct_token()
    {
        float[] once = [2f, -2f, 1f];
        float[] thrice = [2f, -2f, 1f];
        new RepetitionPenaltyLogitsProcessor(1.2).Process([0, 1], once);
        new RepetitionPenaltyLogitsProcessor(1.2).Process([0, 0, 0, 1, 1], thrice);
        Assert.Equal(once, thrice);
        Assert.Equal(2f / 1.2f, once[0], 1e-6);
        Assert.Equal(-2.4f, once[1], 1e-6);
    }

    [Fact]
    public void Repetition_penalty_rejects_bad_input_without_writing()
    {
        float[] logits = [1f, 2f];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyLogitsProcessor(2).Process([0, 2], logits));
        Assert.Equal("context", e.ParamName);
        Assert.Contains("context[1]", e.Message);
        Assert.Equal([1f, 2f], logits);
        Assert.Equal("penalty", Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyLogitsProcessor(0)).ParamName);
        float[] huge = [-3e38f, 1f];
        var overflow = Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyLogitsProcessor(10).Process([1, 0], huge));
        Assert.Equal("logits", overflow.ParamName);
        Assert.Contains("logits[0]", overflow.Message);
        Assert.Contains("-3.40282347E+37", overflow.Message); // -float.MaxValue / 10: the lowest negative logit θ = 10 allows
        Assert.Equal([-3e38f, 1f], huge);
        // θ < 1 divides a positive logit by θ: 3e38 / 0.5 overflows, and the bound is float.MaxValue × 0.5
        float[] big = [1f, 3e38f];
        var up = Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyLogitsProcessor(0.5).Process([1], big));
        Assert.Equal("logits", up.ParamName);
        Assert.Contains("logits[1]", up.Message);
        Assert.Contains("1.70141173E+38", up.Message);
        Assert.Equal([1f, 3e38f], big);
    }

    // ---- the -∞ contract shared by every processor ----

    public static TheoryData<ILogitsProcessor> AllProcessors => new()
    {
        new TemperatureLogitsWarper(0.7), new TopKLogitsWarper(2), new TopPLogitsWarper(0.9), new MinPLogitsWarper(0.1),
        new RepetitionPenaltyLogitsProcessor(1.3),
    };

    [Theory]
    [MemberData(nameof(AllProcessors))]
    public void Processors_accept_minus_infinity_from_an_earlier_stage(ILogitsProcessor processor)
    {
        float[] logits = [2f, float.NegativeInfinity, 1f, 0.5f];
        processor.Process([0], logits);
        Assert.True(float.IsNegativeInfinity(logits[1]));
        Assert.True(float.IsFinite(logits[0]));
    }

    [Theory]
    [MemberData(nameof(AllProcessors))]
    public void Processors_reject_NaN_plus_infinity_and_all_filtered_without_writing(ILogitsProcessor processor)
    {
        foreach (var bad in new[] { new[] { 1f, float.NaN }, new[] { float.PositiveInfinity, 1f }, new[] { float.NegativeInfinity, float.NegativeInfinity } })
        {
            float[] copy = (float[])bad.Clone();
            var e = Assert.Throws<ArgumentException>(() => processor.Process([], copy));
            Assert.Equal("logits", e.ParamName);
            Assert.Equal(bad, copy);
        }
        Assert.Throws<ArgumentException>(() => processor.Process([], Array.Empty<float>()));
    }
}
