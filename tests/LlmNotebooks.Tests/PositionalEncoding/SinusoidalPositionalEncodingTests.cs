using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.PositionalEncoding;

public class SinusoidalPositionalEncodingTests
{
    [Fact]
    public void DModel4_position1_matches_hand_computed_values()
    {
        // Vaswani et al. 2017 §3.5 with dModel = 4: ω = [1, 10000^(-1/2) = 0.01];
        // PE(1) = [sin 1, cos 1, sin 0.01, cos 0.01].
        double[] expected = [0.8414709848, 0.5403023059, 0.0099998333, 0.9999500004];
        var pe = SinusoidalPositionalEncoding.Vector(1, 4);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], pe[i], 10);
        var table = SinusoidalPositionalEncoding.Table(2, 4);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], table[1, i], 6);
    }

    [Fact]
    public void Position0_is_zeros_and_ones()
    {
        var table = SinusoidalPositionalEncoding.Table(1, 8);
        for (int i = 0; i < 8; i++) Assert.Equal(i % 2 == 0 ? 0f : 1f, table[0, i]);
    }

    [Fact]
    public void Lowest_frequency_for_dModel_512_is_10000_to_the_minus_510_over_512()
    {
        // The wavelengths form a geometric progression from 2π to 10000·2π (§3.5): the last ω is 10000^(-(dModel-2)/dModel).
        var omega = SinusoidalPositionalEncoding.Frequencies(512);
        Assert.Equal(1.0, omega[0]);
        Assert.Equal(Math.Pow(10000, -510.0 / 512), omega[^1], 15);
    }

    [Fact]
    public void Offset_matrix_maps_every_position_to_position_plus_k()
    {
        const int dModel = 16;
        Gen.Int[0, 500].Select(Gen.Int[-50, 50]).Sample((pos, k) =>
        {
            if (pos + k < 0) return;
            var m = SinusoidalPositionalEncoding.OffsetMatrix(k, dModel);
            var p = SinusoidalPositionalEncoding.Vector(pos, dModel);
            var target = SinusoidalPositionalEncoding.Vector(pos + k, dModel);
            for (int r = 0; r < dModel; r++)
            {
                double s = 0;
                for (int c = 0; c < dModel; c++) s += m[r, c] * p[c];
                Assert.Equal(target[r], s, 9);
            }
        });
    }

    [Fact]
    public void Every_pair_lies_on_the_unit_circle()
    {
        var table = SinusoidalPositionalEncoding.Table(64, 32);
        for (int pos = 0; pos < 64; pos++)
            for (int i = 0; i < 16; i++)
                Assert.Equal(1.0, table[pos, 2 * i] * (double)table[pos, 2 * i] + table[pos, 2 * i + 1] * (double)table[pos, 2 * i + 1], 6);
    }

    [Theory]
    [InlineData(0, 4, "seqLen")]
    [InlineData(4, 3, "dModel")]
    [InlineData(4, 0, "dModel")]
    public void Bad_sizes_name_the_parameter(int seqLen, int dModel, string param)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SinusoidalPositionalEncoding.Table(seqLen, dModel));
        Assert.Equal(param, e.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.0)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_base_is_rejected(double @base)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.Frequencies(4, @base));
        Assert.Equal("base", e.ParamName);
    }

    [Fact]
    public void Negative_position_is_rejected()
    {
        Assert.Equal("position", Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.Vector(-1, 4)).ParamName);
    }
}
