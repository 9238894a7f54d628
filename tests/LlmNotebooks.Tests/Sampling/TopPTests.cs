using CsCheck;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

public class TopPTests
{
    private static float[] Log(params double[] probabilities) => probabilities.Select(p => (float)Math.Log(p)).ToArray();

    // Hugging Face transformers, tests/generation/test_logits_process.py, test_top_p_dist_warper, first row:
    // P = [0.3, 0.1, 0.1, 0.5], top_p = 0.8 keeps {0.3, 0.5}.
    // Boundary: the prefix {0.5, 0.3} has mass exactly 0.8 = p, so it reaches p and both 0.1 tokens are dropped.
    // We decide "reaches" with TopP.Tolerance = 1e-6, because float32 logits fix probabilities only to ~|l|·6e-8.
    // Exact comparisons hang on rounding: on the decimal values, HF's rule (remove while the ascending cumulative sum
    // <= 1 - p) gives 0.1 + 0.1 = 0.2000000000000000111 > 1 - 0.8 = 0.19999999999999996 and keeps a 0.1 token; on the
    // float32 logits log(P) the exact mass of {0.5, 0.3} is 0.8 + 4.2e-9 (numpy, float64 softmax of the float32 logits),
    // so the result would be the sign of a float32 rounding error; HF's float32 code passes because 1 - 0.8 rounds up
    // to 0.2000000030 and its cumulative sum down to 0.1999999881 (torch 1.13). The tolerance makes it pass because
    // the mass equals p.
    [Fact]
    public void HF_test_top_p_dist_warper_row1_mass_exactly_p_reaches_p()
    {
        Assert.True(0.1 + 0.1 > 1 - 0.8); // the double-precision trap the tolerance removes
        float[] logits = Log(0.3, 0.1, 0.1, 0.5);
        Assert.Equal([0, 3], TopP.KeepSet(logits, 0.8));
        Assert.Equal([0, 3], TopP.KeepSetBySorting(logits, 0.8));
    }

    // Same HF test, second row: P = [0.15, 0.3, 0.3, 0.25], top_p = 0.8 keeps {0.3, 0.3, 0.25}: 0.3 + 0.3 = 0.6 < 0.8,
    // the 0.25 token crosses p (0.85) and is kept; no boundary subtlety here.
    [Fact]
    public void HF_test_top_p_dist_warper_row2_keeps_the_token_that_crosses_p()
    {
        float[] logits = Log(0.15, 0.3, 0.3, 0.25);
        Assert.Equal([1, 2, 3], TopP.KeepSet(logits, 0.8));
        Assert.Equal([1, 2, 3], TopP.KeepSetBySorting(logits, 0.8));
    }

    // HF test_top_p_dist_warper, edge cases: ramp logits arange(10) - 5 with top_p 0.9 keep 3 tokens; the ramp * 100
    // keeps 1 token, raised to 2 by min_tokens_to_keep = 2.
    [Fact]
    public void HF_test_top_p_dist_warper_ramp_and_min_tokens_to_keep()
    {
        float[] ramp = Enumerable.Range(0, 10).Select(i => (float)(i - 5)).ToArray();
        Assert.Equal([7, 8, 9], TopP.KeepSet(ramp, 0.9, minTokensToKeep: 2));
        float[] steep = ramp.Select(x => x * 100f).ToArray();
        Assert.Equal([9], TopP.KeepSet(steep, 0.9));
        Assert.Equal([8, 9], TopP.KeepSet(steep, 0.9, minTokensToKeep: 2));
    }

    // Oracle: torch 1.13 float32 with HF's TopPLogitsWarper rule (stable ascending sort, remove cumsum <= 1 - p) on
    // 12 logits drawn from 2·N(0, 1) (torch.Generator seed 1234, rounded to 4 decimals). Probabilities: token 9 0.8295,
    // 7 0.0425, 5 0.0291, 1 0.0238, 6 0.0169, 3 0.0164, ...
    [Theory]
    [InlineData(0.3, new[] { 9 })]
    [InlineData(0.7, new[] { 9 })]
    [InlineData(0.9, new[] { 5, 7, 9 })]
    [InlineData(0.95, new[] { 1, 3, 5, 6, 7, 9 })]
    public void Matches_the_HF_rule_on_random_logits(double topP, int[] expected)
    {
        float[] x = [0.0923f, 0.8048f, -2.0231f, 0.4335f, -1.2245f, 1.0072f, 0.4619f, 1.3862f, -0.5337f, 4.3569f, 0.2043f, -0.518f];
        Assert.Equal(expected, TopP.KeepSet(x, topP));
        Assert.Equal(expected, TopP.KeepSetBySorting(x, topP));
    }

    [Fact]
    public void Tolerance_is_one_millionth_of_probability()
    {
        // [0.5, 0.3, 0.2]: the top two reach p = 0.8 exactly, so they suffice; asking for 2e-6 more needs the third.
        float[] logits = Log(0.5, 0.3, 0.2);
        Assert.Equal([0, 1], TopP.KeepSet(logits, 0.8));
        Assert.Equal([0, 1], TopP.KeepSet(logits, 0.8 + 0.5e-6)); // within tolerance: still reached
        Assert.Equal([0, 1, 2], TopP.KeepSet(logits, 0.8 + 2e-6));
        Assert.Equal(1e-6, TopP.Tolerance);
    }

    // Ties at the boundary: P = [0.4, 0.2, 0.2, 0.2], p = 0.5 needs one of the three 0.2 tokens. HF sorts ascending
    // and removes the low end; with a stable sort the lowest ids of the tie are removed first, so token 3 is kept
    // (torch 1.13, stable=True: kept [0, 3]). torch.sort's default is unstable for >= 100 elements, so on a real
    // vocabulary HF's pick among ties is unspecified; ours is always the stable one.
    [Fact]
    public void Ties_at_the_boundary_keep_the_highest_ids_like_a_stable_ascending_sort()
    {
        float[] logits = Log(0.4, 0.2, 0.2, 0.2);
        Assert.Equal([0, 3], TopP.KeepSet(logits, 0.5));
        Assert.Equal([0, 3], TopP.KeepSetBySorting(logits, 0.5));
        Assert.Equal([0, 2, 3], TopP.KeepSet(logits, 0.7));
    }

    [Fact]
    public void Ties_across_a_flat_vocabulary_keep_the_highest_ids()
    {
        float[] flat = new float[50_257];
        int[] kept = TopP.KeepSet(flat, 0.5);
        // 0.5·50257 = 25128.5 → 25129 tokens, the highest ids
        Assert.Equal(25_129, kept.Length);
        Assert.Equal(50_257 - 25_129, kept[0]);
        Assert.Equal(kept, TopP.KeepSetBySorting(flat, 0.5));
    }

    [Fact]
    public void Negative_and_positive_zero_are_the_same_logit()
    {
        float[] logits = [0f, -0f, 0f, -0f, -5f];
        Assert.Equal(TopP.KeepSetBySorting(logits, 0.3), TopP.KeepSet(logits, 0.3));
        Assert.Equal([2, 3], TopP.KeepSet(logits, 0.3)); // four equal tokens ≈ 0.248 each: two needed, highest ids
    }

    [Fact]
    public void P_equal_to_1_keeps_every_finite_token_even_with_underflowing_probabilities()
    {
        float[] logits = [0f, -1000f, -2000f, float.NegativeInfinity];
        Assert.Equal([0, 1, 2], TopP.KeepSet(logits, 1.0));
        Assert.Equal([0, 1, 2], TopP.KeepSetBySorting(logits, 1.0));
    }

    [Fact]
    public void Filtered_tokens_from_an_earlier_stage_are_ignored_and_the_rest_renormalised()
    {
        // After top-k 2 of P = [0.5, 0.3, 0.2]: renormalised {0.625, 0.375}; p = 0.6 keeps only token 0.
        float[] logits = Log(0.5, 0.3, 0.2);
        logits[2] = float.NegativeInfinity;
        Assert.Equal([0], TopP.KeepSet(logits, 0.6));
        Assert.Equal([0, 1], TopP.KeepSet(logits, 0.63)); // 0.625 < 0.63
    }

    [Fact]
    public void Tiny_p_keeps_the_top_token_only()
    {
        float[] logits = Log(0.25, 0.25, 0.5);
        Assert.Equal([2], TopP.KeepSet(logits, 1e-9));
        Assert.Equal([1, 2], TopP.KeepSet(logits, 1e-9, minTokensToKeep: 2));
        Assert.Equal([0, 1, 2], TopP.KeepSet(logits, 1e-9, minTokensToKeep: 10));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    public void Bad_topP_names_the_parameter(double topP)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TopP.KeepSet([1f, 2f], topP));
        Assert.Equal("topP", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => TopP.KeepSetBySorting([1f, 2f], topP));
    }

    [Fact]
    public void Bad_logits_are_rejected_with_the_parameter_named()
    {
        Assert.Equal("minTokensToKeep", Assert.Throws<ArgumentOutOfRangeException>(() => TopP.KeepSet([1f], 0.5, 0)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => TopP.KeepSet([], 0.5)).ParamName);
        Assert.Contains("logits[1]", Assert.Throws<ArgumentException>(() => TopP.KeepSet([1f, float.NaN], 0.5)).Message);
        Assert.Contains("logits[0]", Assert.Throws<ArgumentException>(() => TopP.KeepSet([float.PositiveInfinity, 1f], 0.5)).Message);
        Assert.Contains("no finite", Assert.Throws<ArgumentException>(() => TopP.KeepSet([float.NegativeInfinity], 0.5)).Message);
    }

    [Fact]
    public void Vocabularies_above_2_to_the_20_are_rejected()
    {
        Assert.Equal(1_048_576, TopP.MaxVocabSize);
        Assert.Single(TopP.KeepSet(new float[TopP.MaxVocabSize], 1e-9));
        var e = Assert.Throws<ArgumentException>(() => TopP.KeepSet(new float[TopP.MaxVocabSize + 1], 0.5));
        Assert.Equal("logits", e.ParamName);
    }

    [Fact]
    public void Warper_sets_the_tail_to_minus_infinity_in_place()
    {
        float[] logits = Log(0.3, 0.1, 0.1, 0.5);
        float[] before = (float[])logits.Clone();
        new TopPLogitsWarper(0.8).Process([], logits);
        Assert.Equal(before[0], logits[0]);
        Assert.Equal(before[3], logits[3]);
        Assert.True(float.IsNegativeInfinity(logits[1]) && float.IsNegativeInfinity(logits[2]));
        var p = Softmax.Probabilities(logits);
        Assert.Equal(0.375, p[0], 1e-6);
        Assert.Equal(0.625, p[3], 1e-6);
    }

    // ---- fast selection vs full sort: property test ----

    internal const int PropertyIterations = 4_000;

    // Probabilities that are ratios of small integers, so prefix masses hit p exactly (the tolerance path).
    private static readonly Gen<float[]> ExactRatios =
        Gen.Int[1, 5].Array[1, 60].Select(counts => counts.Select(c => (float)Math.Log(c / (double)counts.Sum())).ToArray());

    private static readonly Gen<float[]> Smooth = Gen.Float[-20f, 20f].Array[1, 3000];

    // Heavy ties: few distinct values.
    private static readonly Gen<float[]> Ties = Gen.Int[-3, 3].Array[1, 3000].Select(a => a.Select(k => (float)k).ToArray());

    // Extreme peaks: one or a few logits far above a noisy floor (the nucleus is 1–3 tokens).
    private static readonly Gen<float[]> Peaked =
        Gen.Select(Gen.Float[-3f, 3f].Array[2, 5000], Gen.Float[20f, 90f], Gen.Int[1, 3], (a, height, peaks) =>
        {
            for (int j = 0; j < peaks && j < a.Length; j++) a[(j * 7919) % a.Length] = height - j;
            return a;
        });

    // Filtered tokens (-∞) sprinkled in, as after top-k or min-p.
    private static readonly Gen<float[]> Filtered =
        Gen.Select(Gen.Float[-10f, 10f].Array[1, 2000], Gen.Int[1, 100], (a, every) =>
        {
            for (int i = 0; i < a.Length; i++) if (i % every == 1) a[i] = float.NegativeInfinity;
            return a;
        });

    // GPT-2-sized Zipf-shaped logits (exponent 0.8–2), ranks permuted.
    private static readonly Gen<float[]> Zipf =
        Gen.Select(Gen.Int[1_000, 50_257], Gen.Double[0.8, 2.0], Gen.Int, (n, s, seed) => Logits.Zipf(n, s, seed));

    // Outliers far below: forces the bucket search to recurse.
    private static readonly Gen<float[]> Outliers =
        Gen.Select(Gen.Float[-1f, 1f].Array[200, 4000], Gen.Float[-3e38f, -1e30f], (a, low) => { a[0] = low; return a; });

    private static readonly Gen<float[]> AnyLogits =
        Gen.Frequency((3, ExactRatios), (3, Smooth), (3, Ties), (2, Peaked), (2, Filtered), (1, Zipf), (1, Outliers));

    // p: arbitrary in (0, 1], 1 itself, tiny, or a prefix mass ± a hair (exercises the tolerance in both directions).
    private static Gen<double> TopPFor(float[] logits) => Gen.Frequency(
        (3, Gen.Double[1e-9, 1.0]),
        (1, Gen.Const(1.0)),
        (1, Gen.OneOf(Gen.Const(1e-12), Gen.Const(1e-6), Gen.Const(2e-6))),
        (4, Gen.Select(Gen.Int[1, Math.Max(1, Math.Min(logits.Length, 50))], Gen.OneOf(Gen.Const(0.0), Gen.Const(1e-7), Gen.Const(-1e-7), Gen.Const(1e-6), Gen.Const(-1e-6), Gen.Const(2e-6), Gen.Const(-2e-6)),
            (j, delta) => Math.Clamp(PrefixMass(logits, j) + delta, 1e-12, 1.0))));

    private static readonly Gen<(float[] Logits, double TopP, int MinKeep)> Cases =
        AnyLogits.SelectMany(l => Gen.Select(TopPFor(l), Gen.Frequency((4, Gen.Const(1)), (1, Gen.Int[1, 10])), (p, k) => (l, p, k)));

    [Fact]
    public void Fast_selection_and_full_sort_keep_the_same_set()
    {
        Cases.Sample(c =>
        {
            int[] fast = TopP.KeepSet(c.Logits, c.TopP, c.MinKeep);
            int[] sorted = TopP.KeepSetBySorting(c.Logits, c.TopP, c.MinKeep);
            Assert.Equal(sorted, fast);
            CheckNucleusInvariants(c.Logits, c.TopP, c.MinKeep, fast);
        }, iter: PropertyIterations, print: c => $"n={c.Logits.Length} p={c.TopP:R} minKeep={c.MinKeep}");
    }

    // What "the smallest set reaching p" means, checked with plain double softmax sums. Slack 1e-7: top-p's masses use
    // float32 exp and fixed point; their normalised prefix sums differ from double softmax by at most 2.5e-8
    // (measured over 400 random vectors up to 50,257 tokens).
    private const double Slack = 1e-7;

    private static void CheckNucleusInvariants(float[] logits, double topP, int minKeep, int[] kept)
    {
        var p = Softmax.Probabilities(logits);
        int finite = logits.Count(float.IsFinite);
        Assert.NotEmpty(kept);
        Assert.All(kept, i => Assert.True(float.IsFinite(logits[i])));
        Assert.True(kept.Length >= Math.Min(minKeep, finite));
        // Every kept token outranks every dropped finite token.
        var keptSet = kept.ToHashSet();
        float minKeptLogit = kept.Min(i => logits[i]);
        for (int i = 0; i < logits.Length; i++)
            if (float.IsFinite(logits[i]) && !keptSet.Contains(i)) Assert.True(logits[i] <= minKeptLogit);
        if (topP == 1.0) { Assert.Equal(finite, kept.Length); return; }
        double mass = kept.Sum(i => p[i]);
        Assert.True(mass >= topP - TopP.Tolerance - Slack || kept.Length == finite, $"kept mass {mass} < p {topP}");
        if (kept.Length > Math.Min(minKeep, finite))
        {
            double smallest = kept.Min(i => p[i]);
            Assert.True(mass - smallest < topP - TopP.Tolerance + Slack, $"not minimal: {mass} - {smallest} reaches {topP}");
        }
    }

    private static double PrefixMass(float[] logits, int j)
    {
        var p = Softmax.Probabilities(logits);
        return p.OrderByDescending(x => x).Take(j).Sum();
    }
}

/// <summary>Synthetic logits shaped like a language model's next-token distribution.</summary>
internal static class Logits
{
    /// <summary>Zipf: the token of rank r (1-based) has logit −s·ln r, ranks randomly permuted over the vocabulary.</summary>
    public static float[] Zipf(int vocabSize, double s, int seed)
    {
        var rng = new Random(seed);
        int[] rankOf = Enumerable.Range(1, vocabSize).ToArray();
        rng.Shuffle(rankOf);
        return rankOf.Select(r => (float)(-s * Math.Log(r))).ToArray();
    }
}
