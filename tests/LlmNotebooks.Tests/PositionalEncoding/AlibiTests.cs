using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.PositionalEncoding;

public class AlibiTests
{
    [Fact]
    public void Eight_heads_have_slopes_one_half_to_one_over_256()
    {
        // Press et al. 2021 §3: "For models with 8 heads, the slopes that we used are 1/2^1, 1/2^2, ..., 1/2^8".
        var slopes = Alibi.Slopes(8);
        for (int h = 0; h < 8; h++) Assert.Equal(Math.Pow(2, -(h + 1)), slopes[h], 1e-15);
    }

    [Fact]
    public void Sixteen_heads_start_at_one_over_sqrt2()
    {
        // §3: "for 16 heads ... we interpolate 1/2^0.5, 1/2^1, 1/2^1.5, ..., 1/2^8".
        var slopes = Alibi.Slopes(16);
        for (int h = 0; h < 16; h++) Assert.Equal(Math.Pow(2, -0.5 * (h + 1)), slopes[h], 1e-15);
    }

    [Fact]
    public void Twelve_heads_follow_the_reference_get_slopes()
    {
        // Reference get_slopes(12): get_slopes_power_of_2(8) + get_slopes(16)[0::2][:4].
        double[] expected = [.. Enumerable.Range(1, 8).Select(h => Math.Pow(2, -h)), .. new[] { 0.5, 1.5, 2.5, 3.5 }.Select(e => Math.Pow(2, -e))];
        var slopes = Alibi.Slopes(12);
        Assert.Equal(12, slopes.Length);
        for (int h = 0; h < 12; h++) Assert.Equal(expected[h], slopes[h], 1e-15);
    }

    [Fact]
    public void Bias_is_linear_in_distance_and_masks_the_future()
    {
        var b = Alibi.Bias(4, 0.5);
        Assert.Equal(0f, b[3, 3]);
        Assert.Equal(-1.5f, b[3, 0]);
        Assert.Equal(-0.5f, b[2, 1]);
        Assert.True(float.IsNegativeInfinity(b[0, 1]));
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("nHead", Assert.Throws<ArgumentOutOfRangeException>(() => Alibi.Slopes(0)).ParamName);
        Assert.Equal("slope", Assert.Throws<ArgumentOutOfRangeException>(() => Alibi.Bias(4, double.NaN)).ParamName);
        Assert.Equal("seqLen", Assert.Throws<ArgumentOutOfRangeException>(() => Alibi.Bias(0, 0.5)).ParamName);
    }
}
