using LlmNotebooks.Numerics;

namespace LlmNotebooks.Tests.Numerics;

public class PermutationTests
{
    [Fact]
    public void Random_is_a_permutation_and_is_reproducible()
    {
        Gen.Int[1, 200].Select(Gen.Int).Sample((n, seed) =>
        {
            var p = Permutation.Random(n, seed);
            Assert.Equal(Enumerable.Range(0, n), p.Order());
            Assert.Equal(p, Permutation.Random(n, seed));
        });
    }

    [Fact]
    public void Random_permutations_of_three_are_roughly_uniform()
    {
        // 6 permutations, 6000 draws: each should appear ≈1000 times (±5 σ ≈ ±144).
        var rng = new Random(11);
        var counts = Enumerable.Range(0, 6000).Select(_ => string.Join(",", Permutation.Random(3, rng))).CountBy(s => s).ToArray();
        Assert.Equal(6, counts.Length);
        Assert.All(counts, c => Assert.InRange(c.Value, 856, 1144));
    }

    [Fact]
    public void PermuteRows_takes_row_permutation_i_and_inverse_undoes_it()
    {
        float[,] x = { { 0, 0 }, { 1, 10 }, { 2, 20 } };
        int[] p = [2, 0, 1];
        var px = Permutation.PermuteRows(x, p);
        Assert.Equal(new float[,] { { 2, 20 }, { 0, 0 }, { 1, 10 } }, px);
        Assert.Equal(new[] { 1, 2, 0 }, Permutation.Inverse(p));
        Assert.Equal(x, Permutation.PermuteRows(px, Permutation.Inverse(p)));
        Assert.Equal(new[] { "c", "a", "b" }, Permutation.Apply(["a", "b", "c"], p));
    }

    [Fact]
    public void Equivariance_error_is_zero_for_a_row_wise_map_and_large_for_a_position_dependent_one()
    {
        var x = Matrices.RandomNormal(6, 3, seed: 1);
        int[] p = [5, 4, 3, 2, 1, 0];
        Assert.Equal(0.0, Permutation.EquivarianceError(z => Matrices.Add(z, z), x, p));
        // Adding the row index to every entry: f(PX) − P f(X) has row i equal to i − p[i].
        var ramp = new float[6, 3];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 3; j++) ramp[i, j] = i;
        Assert.Equal(5.0, Permutation.EquivarianceError(z => Matrices.Add(z, ramp), x, p), 1e-5);
    }

    [Fact]
    public void Bad_permutations_are_rejected()
    {
        var x = new float[3, 2];
        Assert.Equal("permutation", Assert.Throws<ArgumentException>(() => Permutation.PermuteRows(x, [0, 1])).ParamName);
        Assert.Equal("permutation", Assert.Throws<ArgumentException>(() => Permutation.PermuteRows(x, [0, 1, 1])).ParamName);
        Assert.Equal("permutation", Assert.Throws<ArgumentException>(() => Permutation.PermuteRows(x, [0, 1, 3])).ParamName);
        Assert.Equal("permutation", Assert.Throws<ArgumentException>(() => Permutation.Inverse([-1, 0])).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Permutation.Random(0, 1)).ParamName);
        Assert.Equal("f", Assert.Throws<ArgumentException>(() => Permutation.EquivarianceError(_ => new float[2, 2], x, [0, 1, 2])).ParamName);
    }
}
