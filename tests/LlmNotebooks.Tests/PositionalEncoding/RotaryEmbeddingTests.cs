using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.PositionalEncoding;

public class RotaryEmbeddingTests
{
    [Fact]
    public void Interleaved_rotates_adjacent_pairs_and_rotate_half_rotates_i_with_i_plus_half()
    {
        // headDim 4: θ = [1, 10000^(-1/2) = 0.01]. At position 1 a unit vector on coordinate 0 turns by 1 radian
        // towards coordinate 1 (adjacent, RoFormer eq. 34) or towards coordinate 2 (rotate-half, HF Llama).
        float[] e0 = [1, 0, 0, 0];
        var inter = new RotaryEmbedding(4, 8, pairing: RotaryPairing.Interleaved).Rotate(e0, 1);
        var half = new RotaryEmbedding(4, 8, pairing: RotaryPairing.RotateHalf).Rotate(e0, 1);
        Assert.Equal(new[] { Math.Cos(1), Math.Sin(1), 0, 0 }, inter.Select(v => (double)v), new Tol(1e-6));
        Assert.Equal(new[] { Math.Cos(1), 0, Math.Sin(1), 0 }, half.Select(v => (double)v), new Tol(1e-6));

        // Second frequency: coordinate 3 (interleaved pair (2,3)) at position 5 turns by 0.05 rad backwards into 2.
        float[] e3 = [0, 0, 0, 1];
        var r = new RotaryEmbedding(4, 8).Rotate(e3, 5);
        Assert.Equal(new[] { 0, 0, -Math.Sin(0.05), Math.Cos(0.05) }, r.Select(v => (double)v), new Tol(1e-6));
    }

    [Theory]
    [InlineData(RotaryPairing.Interleaved)]
    [InlineData(RotaryPairing.RotateHalf)]
    public void Score_depends_only_on_relative_position(RotaryPairing pairing)
    {
        // RoFormer eq. 16: <R_m q, R_n k> = q^T R_{n-m} k, a function of m - n only.
        var rope = new RotaryEmbedding(32, 256, pairing: pairing);
        Gen.Float[-1, 1].Array[32].Select(Gen.Float[-1, 1].Array[32], Gen.Int[0, 100], Gen.Int[0, 100], Gen.Int[0, 100])
            .Sample((q, k, m, n, shift) =>
            {
                double a = Dot(rope.Rotate(q, m), rope.Rotate(k, n));
                double b = Dot(rope.Rotate(q, m + shift), rope.Rotate(k, n + shift));
                Assert.Equal(a, b, 4);
            });
    }

    [Fact]
    public void The_two_pairings_agree_after_permuting_coordinates()
    {
        // Interleaved on x equals rotate-half on P x, where P sends 2i -> i and 2i+1 -> i + d/2.
        const int d = 8;
        var inter = new RotaryEmbedding(d, 16, pairing: RotaryPairing.Interleaved);
        var half = new RotaryEmbedding(d, 16, pairing: RotaryPairing.RotateHalf);
        float[] x = [0.3f, -1.2f, 0.5f, 2f, -0.7f, 0.1f, 1.5f, -0.4f];
        int[] perm = new int[d];
        for (int i = 0; i < d / 2; i++) { perm[2 * i] = i; perm[2 * i + 1] = i + d / 2; }
        var px = new float[d];
        for (int j = 0; j < d; j++) px[perm[j]] = x[j];
        var a = inter.Rotate(x, 7);
        var b = half.Rotate(px, 7);
        for (int j = 0; j < d; j++) Assert.Equal(a[j], b[perm[j]], 6);
        Assert.NotEqual(a, half.Rotate(x, 7)); // without the permutation the numbers differ
    }

    [Fact]
    public void Apply_rotates_each_head_of_a_multi_head_row()
    {
        var rope = new RotaryEmbedding(4, 8);
        float[] row = [1, 0, 0, 0, 1, 0, 0, 0];
        rope.Apply(row, 2);
        Assert.Equal(row[0..4], row[4..8]);
        Assert.Equal(Math.Cos(2), row[0], 6);
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("headDim", Assert.Throws<ArgumentOutOfRangeException>(() => new RotaryEmbedding(5, 8)).ParamName);
        Assert.Equal("maxPositions", Assert.Throws<ArgumentOutOfRangeException>(() => new RotaryEmbedding(4, 0)).ParamName);
        var rope = new RotaryEmbedding(4, 8);
        Assert.Equal("position", Assert.Throws<ArgumentOutOfRangeException>(() => rope.Apply(new float[4], 8)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => rope.Apply(new float[6], 0)).ParamName);
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * (double)b[i];
        return s;
    }

    private sealed class Tol(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}
