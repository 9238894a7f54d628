using LlmNotebooks.Numerics;
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
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], pe[i], 1e-10);
        var table = SinusoidalPositionalEncoding.Table(2, 4);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], table[1, i], 1e-6);
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
        Assert.Equal(Math.Pow(10000, -510.0 / 512), omega[^1], 1e-15);
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
                Assert.Equal(target[r], s, 1e-9);
            }
        });
    }

    [Fact]
    public void Every_pair_lies_on_the_unit_circle()
    {
        var table = SinusoidalPositionalEncoding.Table(64, 32);
        for (int pos = 0; pos < 64; pos++)
            for (int i = 0; i < 16; i++)
                Assert.Equal(1.0, table[pos, 2 * i] * (double)table[pos, 2 * i] + table[pos, 2 * i + 1] * (double)table[pos, 2 * i + 1], 1e-6);
    }

    [Fact]
    public void Dot_product_depends_only_on_the_offset_and_matches_the_closed_form()
    {
        // PE(p)·PE(p+k) = Σ_i [sin pω_i sin (p+k)ω_i + cos pω_i cos (p+k)ω_i] = Σ_i cos kω_i.
        Gen.Int[0, 2000].Select(Gen.Int[-300, 300]).Sample((p, k) =>
        {
            if (p + k < 0) return;
            Assert.Equal(SinusoidalPositionalEncoding.RelativeDot(k, 64), SinusoidalPositionalEncoding.Dot(p, p + k, 64), 1e-9);
            Assert.Equal(SinusoidalPositionalEncoding.RelativeDot(k, 64), SinusoidalPositionalEncoding.RelativeDot(-k, 64), 1e-12);
        });
    }

    [Fact]
    public void Relative_dot_reference_values()
    {
        // dModel = 4: ω = [1, 0.01]; k = 1 → cos 1 + cos 0.01 = 0.5403023059 + 0.9999500004.
        Assert.Equal(1.5402523063, SinusoidalPositionalEncoding.RelativeDot(1, 4), 1e-10);
        Assert.Equal(256.0, SinusoidalPositionalEncoding.RelativeDot(0, 512), 1e-12); // dModel / 2 at k = 0
        Assert.Equal(256.0, SinusoidalPositionalEncoding.Dot(37, 37, 512), 1e-9);
    }

    [Fact]
    public void Relative_dot_decays_but_not_monotonically()
    {
        // dModel 128, k = 0 … 100: the curve falls overall but rises again at some k (the fast frequencies oscillate).
        var d = Enumerable.Range(0, 101).Select(k => SinusoidalPositionalEncoding.RelativeDot(k, 128)).ToArray();
        Assert.True(d[100] < d[0] / 2);
        Assert.Contains(Enumerable.Range(1, 100), k => d[k] > d[k - 1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-7)]
    [InlineData(500)]
    public void Offset_max_error_over_many_positions_is_rounding_only(int k)
    {
        Assert.InRange(SinusoidalPositionalEncoding.OffsetMaxError(k, 2000, 128), 0, 1e-11);
    }

    [Fact]
    public void Offset_max_error_detects_a_wrong_offset()
    {
        // A sanity check on the checker: M_1 applied to PE(p) is not PE(p + 2); at p = 0 the first pair is off by
        // |sin 2 − sin 1| and |cos 2 − cos 1|, the largest being |cos 2 − cos 1| ≈ 0.9564.
        var m1 = SinusoidalPositionalEncoding.OffsetMatrix(1, 4);
        var pe0 = SinusoidalPositionalEncoding.Vector(0, 4);
        var pe2 = SinusoidalPositionalEncoding.Vector(2, 4);
        double mappedCos = m1[1, 0] * pe0[0] + m1[1, 1] * pe0[1];
        Assert.Equal(Math.Abs(Math.Cos(2) - Math.Cos(1)), Math.Abs(mappedCos - pe2[1]), 1e-12);
        Assert.Equal("positions", Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.OffsetMaxError(1, 0, 4)).ParamName);
        Assert.Equal("dModel", Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.OffsetMaxError(1, 4, 5)).ParamName);
        Assert.Equal("positionB", Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.Dot(1, -1, 4)).ParamName);
    }

    [Fact]
    public void Additive_scores_expand_into_content_and_position_terms_and_are_not_relative()
    {
        float[] q = [0.5f, -1f, 0.25f, 2f], k = [1f, 0.5f, -0.75f, 0.1f];
        var s = SinusoidalPositionalEncoding.AdditiveScoreMatrix(q, k, 30);
        double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b, (x, y) => x * y).Sum();
        double[] qd = [.. q.Select(v => (double)v)], kd = [.. k.Select(v => (double)v)];
        var pe7 = SinusoidalPositionalEncoding.Vector(7, 4);
        var pe3 = SinusoidalPositionalEncoding.Vector(3, 4);
        // S[7, 3] = q·k + q·PE(3) + PE(7)·k + PE(7)·PE(3)
        Assert.Equal(Dot(qd, kd) + Dot(qd, pe3) + Dot(pe7, kd) + Dot(pe7, pe3), s[7, 3], 1e-6);
        Assert.True(Matrices.ToeplitzDeviation(s) > 0.5);
        // With q = k = 0 only PE(m)·PE(n) is left, a function of n − m: constant along diagonals.
        var pure = SinusoidalPositionalEncoding.AdditiveScoreMatrix(new float[4], new float[4], 30);
        Assert.InRange(Matrices.ToeplitzDeviation(pure), 0, 1e-6);
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => SinusoidalPositionalEncoding.AdditiveScoreMatrix(new float[3], new float[3], 4)).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalPositionalEncoding.AdditiveScoreMatrix(new float[4], new float[4], 0)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => SinusoidalPositionalEncoding.AdditiveScoreMatrix(new float[4], new float[2], 4)).ParamName);
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
