using LlmNotebooks.Numerics;

namespace LlmNotebooks.Tests.Numerics;

public class MatricesTests
{
    [Fact]
    public void Multiply_and_add_match_hand_computed_values()
    {
        float[,] a = { { 1, 2, 3 }, { 4, 5, 6 } };
        float[,] b = { { 7, 8 }, { 9, 10 }, { 11, 12 } };
        Assert.Equal(new float[,] { { 58, 64 }, { 139, 154 } }, Matrices.Multiply(a, b));
        Assert.Equal(new float[,] { { 2, 4, 6 }, { 8, 10, 12 } }, Matrices.Add(a, a));
    }

    [Fact]
    public void Differences_are_the_max_abs_per_row_and_overall()
    {
        float[,] a = { { 1, 2 }, { 3, 4 } };
        float[,] b = { { 1, 2.5f }, { 0, 4 } };
        Assert.Equal(new[] { 0.5, 3.0 }, Matrices.RowMaxAbsDifference(a, b));
        Assert.Equal(3.0, Matrices.MaxAbsDifference(a, b));
        Assert.Equal(new float[] { 3, 4 }, Matrices.Row(a, 1));
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => Matrices.Row(a, 2)).ParamName);
    }

    [Fact]
    public void Random_normal_is_reproducible_with_mean_zero_and_the_given_std()
    {
        var m = Matrices.RandomNormal(200, 100, seed: 5, std: 2);
        Assert.Equal(m, Matrices.RandomNormal(200, 100, seed: 5, std: 2));
        double mean = m.Cast<float>().Average(v => (double)v);
        double var = m.Cast<float>().Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.05, 0.05);   // standard error 2/√20000 ≈ 0.014
        Assert.InRange(Math.Sqrt(var), 1.97, 2.03);
    }

    [Fact]
    public void Toeplitz_deviation_is_zero_on_a_toeplitz_matrix_and_measures_the_worst_diagonal_otherwise()
    {
        var t = new double[4, 5];
        for (int m = 0; m < 4; m++) for (int n = 0; n < 5; n++) t[m, n] = Math.Cos(m - n) + 0.1 * (m - n);
        Assert.Equal(0.0, Matrices.ToeplitzDeviation(t));
        t[3, 2] += 0.25; // diagonal m − n = 1 starts at t[1, 0]
        Assert.Equal(0.25, Matrices.ToeplitzDeviation(t), 1e-12);
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Matrices.Add(new float[2, 2], new float[2, 3])).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Matrices.Multiply(new float[2, 2], new float[3, 2])).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Matrices.Add(new float[0, 2], new float[0, 2])).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Matrices.Add(new float[,] { { float.PositiveInfinity } }, new float[1, 1])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Matrices.RandomNormal(0, 2, 1)).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentOutOfRangeException>(() => Matrices.RandomNormal(2, 2, 1, double.NaN)).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Matrices.ToeplitzDeviation(new double[,] { { double.NaN } })).ParamName);
    }
}
