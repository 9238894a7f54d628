using CsCheck;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

public class SamplersTests
{
    // torch.argmax documents that the first maximal index is returned.
    [Fact]
    public void ArgMax_returns_the_first_maximum()
    {
        Assert.Equal(1, Samplers.ArgMax([0f, 5f, 5f, float.NegativeInfinity]));
        Assert.Equal(2, Samplers.ArgMax([float.NegativeInfinity, -1f, 3f]));
    }

    // Goodness of fit: 200,000 draws from P = [0.1, 0.2, 0.3, 0.4] with seed 42. Pearson's χ² with 3 degrees of freedom
    // must stay below 16.27, the 0.1 % critical value (NIST/SEMATECH e-Handbook, table 1.3.6.7.4). The seed makes the
    // test deterministic; a biased sampler (e.g. off by one bucket) gives χ² in the thousands.
    [Fact]
    public void Sample_frequencies_match_the_softmax_chi_square()
    {
        double[] probabilities = [0.1, 0.2, 0.3, 0.4];
        float[] logits = probabilities.Select(p => (float)Math.Log(p)).ToArray();
        var expected = Softmax.Probabilities(logits);
        var random = new Random(42);
        const int n = 200_000;
        var counts = new int[4];
        for (int i = 0; i < n; i++) counts[Samplers.Sample(logits, random)]++;
        double chi2 = 0;
        for (int i = 0; i < 4; i++) chi2 += Math.Pow(counts[i] - n * expected[i], 2) / (n * expected[i]);
        Assert.True(chi2 < 16.27, $"χ² = {chi2}, counts = [{string.Join(", ", counts)}]");
    }

    [Fact]
    public void Same_seed_same_tokens()
    {
        float[] logits = [0.5f, 1.5f, -0.3f, 2f, 0f];
        int[] Draw(int seed) { var r = new Random(seed); return Enumerable.Range(0, 50).Select(_ => Samplers.Sample(logits, r)).ToArray(); }
        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    [Fact]
    public void Filtered_tokens_are_never_drawn_property()
    {
        Gen.Select(Gen.Float[-5f, 5f].Array[2, 50], Gen.Int, Gen.Int[1, 5]).Sample((logits, seed, every) =>
        {
            for (int i = 0; i < logits.Length; i++) if (i % (every + 1) == 1) logits[i] = float.NegativeInfinity;
            var random = new Random(seed);
            for (int k = 0; k < 20; k++) Assert.True(float.IsFinite(logits[Samplers.Sample(logits, random)]));
        }, iter: 300);
    }

    [Fact]
    public void Sample_checks_its_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => Samplers.Sample([1f], null!));
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Samplers.Sample([float.NaN], new Random(1))).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Samplers.ArgMax([float.NegativeInfinity])).ParamName);
    }
}
