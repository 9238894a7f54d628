using CsCheck;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

public class KeptSetTests
{
    private static float[] Log(params double[] probabilities) => probabilities.Select(p => (float)Math.Log(p)).ToArray();

    // Hugging Face test_top_p_dist_warper (tests/generation/test_logits_process.py): P = [0.3, 0.1, 0.1, 0.5], top_p 0.8
    // keeps 0.5 and 0.3, i.e. ids 3 and 0, carrying 0.8 of the mass; the least probable survivor has 0.3.
    [Fact]
    public void Top_p_on_the_HF_distribution_keeps_ids_3_and_0_with_mass_0_8()
    {
        var kept = KeptSet.Of(new TopPLogitsWarper(0.8), Log(0.3, 0.1, 0.1, 0.5));
        Assert.Equal("top-p 0.8", kept.Processor);
        Assert.Equal([3, 0], kept.Kept);
        Assert.Equal(2, kept.Count);
        Assert.Equal(0.8, kept.KeptMass, 1e-6);
        Assert.Equal(0.3, kept.SmallestKeptProbability, 1e-6);
    }

    // Top-k 2 on logits [1, 2, 3, 4]: ids 3 and 2 survive with mass (e⁴ + e³) / (e + e² + e³ + e⁴), computed by hand.
    [Fact]
    public void Top_k_mass_is_the_share_of_the_k_largest_logits()
    {
        float[] logits = [1f, 2f, 3f, 4f];
        var kept = KeptSet.Of(new TopKLogitsWarper(2), logits);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3) + Math.Exp(4);
        Assert.Equal([3, 2], kept.Kept);
        Assert.Equal((Math.Exp(4) + Math.Exp(3)) / z, kept.KeptMass, 1e-12);
        Assert.Equal(Math.Exp(3) / z, kept.SmallestKeptProbability, 1e-12);
        Assert.Equal([1f, 2f, 3f, 4f], logits); // the input is not modified
    }

    // Temperature filters nothing: every token is kept, the mass is 1, and the smallest probability is the input's minimum
    // (not the sharpened one). Tokens filtered before (-∞) are neither kept nor counted.
    [Fact]
    public void A_warper_that_filters_nothing_keeps_every_finite_token()
    {
        float[] logits = [0f, float.NegativeInfinity, 2f, 1f];
        var kept = KeptSet.Of(new TemperatureLogitsWarper(0.5), logits);
        var p = Softmax.Probabilities(logits);
        Assert.Equal([2, 3, 0], kept.Kept);
        Assert.Equal(1.0, kept.KeptMass, 1e-12);
        Assert.Equal(p[0], kept.SmallestKeptProbability, 1e-15);
    }

    // The repetition penalty reads the context; a context id outside the vocabulary is rejected before anything runs.
    [Fact]
    public void Context_reaches_the_processor_and_is_validated()
    {
        float[] logits = [2f, 2f, 0f];
        var kept = KeptSet.Of(new RepetitionPenaltyLogitsProcessor(4), logits, [0]);
        Assert.Equal([1, 0, 2], kept.Kept); // id 0's logit 2 → 0.5 ranks below id 1
        Assert.Throws<ArgumentOutOfRangeException>(() => KeptSet.Of(new RepetitionPenaltyLogitsProcessor(4), logits, [3]));
        Assert.Throws<ArgumentNullException>(() => KeptSet.Of(null!, logits));
        Assert.Throws<ArgumentException>(() => KeptSet.Of(new TopKLogitsWarper(1), [float.NaN, 0f]));
        Assert.Throws<ArgumentException>(() => KeptSet.Of(new TopKLogitsWarper(1), []));
    }

    // Property: for random logits and random top-k / top-p / min-p, the kept ids are exactly the processor's finite
    // outputs, most probable first, and the mass is their summed input probability (≤ 1, ≥ the top token's).
    [Fact]
    public void Kept_set_matches_the_processor_output_on_random_logits()
    {
        var gen = Gen.Float[-8f, 8f].Array[1, 60].SelectMany(l => Gen.Int[0, 2].SelectMany(kind =>
            Gen.Double[0.01, 1.0].Select(x => (l, kind, x))));
        gen.Sample(t =>
        {
            ILogitsProcessor processor = t.kind switch
            {
                0 => new TopKLogitsWarper(1 + (int)(t.x * t.l.Length)),
                1 => new TopPLogitsWarper(t.x),
                _ => new MinPLogitsWarper(t.x),
            };
            var kept = KeptSet.Of(processor, t.l);
            float[] processed = (float[])t.l.Clone();
            processor.Process([], processed);
            var finite = Enumerable.Range(0, processed.Length).Where(i => !float.IsNegativeInfinity(processed[i])).ToHashSet();
            Assert.True(finite.SetEquals(kept.Kept));
            for (int j = 1; j < kept.Count; j++) Assert.True(t.l[kept.Kept[j - 1]] >= t.l[kept.Kept[j]]);
            var p = Softmax.Probabilities(t.l);
            Assert.Equal(kept.Kept.Sum(i => p[i]), kept.KeptMass, 1e-12); // tolerances, not rounding digits (those flip at a boundary)
            Assert.InRange(kept.KeptMass, p.Max() - 1e-12, 1 + 1e-12);
            Assert.Equal(kept.Kept.Min(i => p[i]), kept.SmallestKeptProbability, 1e-15);
        });
    }
}
