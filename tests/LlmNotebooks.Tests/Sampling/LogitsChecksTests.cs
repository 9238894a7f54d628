using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

// The validation is vectorized (TensorPrimitives.Max/Min propagate NaN); check bad values deep inside long vectors,
// where the vector path runs, and at the scalar tail.
public class LogitsChecksTests
{
    [Theory]
    [InlineData(float.NaN, 517)]
    [InlineData(float.PositiveInfinity, 517)]
    [InlineData(float.NaN, 1022)]
    [InlineData(float.PositiveInfinity, 1022)]
    public void Processed_logits_reject_NaN_and_plus_infinity_anywhere(float bad, int index)
    {
        float[] logits = Enumerable.Range(0, 1023).Select(i => (float)Math.Sin(i)).ToArray();
        logits[index] = bad;
        var e = Assert.Throws<ArgumentException>(() => LogitsChecks.Processed(logits));
        Assert.Contains($"logits[{index}]", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, 300)]
    [InlineData(float.NegativeInfinity, 300)]
    [InlineData(float.PositiveInfinity, 1022)]
    [InlineData(float.NegativeInfinity, 1022)]
    public void Raw_logits_reject_every_non_finite_value_anywhere(float bad, int index)
    {
        float[] logits = Enumerable.Range(0, 1023).Select(i => (float)Math.Cos(i)).ToArray();
        logits[index] = bad;
        var e = Assert.Throws<ArgumentException>(() => LogitsChecks.Raw(logits));
        Assert.Contains($"logits[{index}]", e.Message);
    }

    [Fact]
    public void Processed_logits_return_the_max_and_accept_minus_infinity()
    {
        float[] logits = Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? float.NegativeInfinity : i / 1000f).ToArray();
        Assert.Equal(0.998f, LogitsChecks.Processed(logits)); // 999 is a multiple of 3, so filtered
        Assert.Contains("no finite", Assert.Throws<ArgumentException>(
            () => LogitsChecks.Processed(Enumerable.Repeat(float.NegativeInfinity, 1000).ToArray())).Message);
    }
}
