using LlmNotebooks.Numerics;
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
                Assert.Equal(a, b, 1e-4); // absolute tolerance: a rounding-digits check flips when a and b straddle a boundary
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
        for (int j = 0; j < d; j++) Assert.Equal(a[j], b[perm[j]], 1e-6);
        Assert.NotEqual(a, half.Rotate(x, 7)); // without the permutation the numbers differ
    }

    [Fact]
    public void Interleaved_matches_meta_llama_and_rotate_half_matches_hugging_face()
    {
        // x[j] = sin(0.3 j + 0.1), headDim 8, position 3, base 10000. References computed with PyTorch 1.13 (float32):
        // Meta llama/model.py apply_rotary_emb (torch.view_as_complex over adjacent pairs times polar(1, m·θ)) and
        // Hugging Face modeling_llama.py apply_rotary_pos_emb (x·cos + rotate_half(x)·sin with cat((freqs, freqs))).
        float[] x = [.. Enumerable.Range(0, 8).Select(j => (float)Math.Sin(0.3 * j + 0.1))];
        double[] meta = [-0.15378904, -0.37143275, 0.36677298, 0.99426723, 0.93314195, 1.02802622, 0.94387037, 0.81133169];
        double[] hf = [-0.23481166, 0.07663134, 0.61554307, 0.83904171, -0.93982691, 1.07001019, 0.96519792, 0.81101722];
        Assert.Equal(meta, new RotaryEmbedding(8, 4, pairing: RotaryPairing.Interleaved).Rotate(x, 3).Select(v => (double)v), new Tol(2e-6));
        Assert.Equal(hf, new RotaryEmbedding(8, 4, pairing: RotaryPairing.RotateHalf).Rotate(x, 3).Select(v => (double)v), new Tol(2e-6));
    }

    [Fact]
    public void Layout_conversion_turns_one_pairing_into_the_other()
    {
        // RotateHalf(ToRotateHalfLayout(x)) = ToRotateHalfLayout(Interleaved(x)), for two heads side by side.
        var inter = new RotaryEmbedding(8, 64, pairing: RotaryPairing.Interleaved);
        var half = new RotaryEmbedding(8, 64, pairing: RotaryPairing.RotateHalf);
        Gen.Float[-2, 2].Array[16].Select(Gen.Int[0, 63]).Sample((x, m) =>
        {
            var a = x.ToArray();
            inter.Apply(a, m);
            var b = RotaryEmbedding.ToRotateHalfLayout(x, 8);
            half.Apply(b, m);
            var expected = RotaryEmbedding.ToRotateHalfLayout(a, 8);
            for (int j = 0; j < 16; j++) Assert.Equal(expected[j], b[j], 1e-5f);
            Assert.Equal(x, RotaryEmbedding.ToInterleavedLayout(RotaryEmbedding.ToRotateHalfLayout(x, 8), 8));
        });
        Assert.Equal(new float[] { 0, 2, 4, 6, 1, 3, 5, 7 }, RotaryEmbedding.ToRotateHalfLayout(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 8));
    }

    [Fact]
    public void Score_matrix_is_constant_along_diagonals()
    {
        var rope = new RotaryEmbedding(16, 40);
        var rng = new Random(3);
        float[] q = [.. Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble() - 0.5f)];
        float[] k = [.. Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble() - 0.5f)];
        var s = rope.ScoreMatrix(q, k);
        Assert.Equal(q.Zip(k, (a, b) => (double)a * b).Sum(), s[0, 0], 1e-6); // m = n: the rotations cancel
        Assert.Equal(s[5, 2], s[37, 34], 1e-5);
        Assert.InRange(Matrices.ToeplitzDeviation(s), 0, 1e-5);
        Assert.True(Math.Abs(s[5, 2] - s[2, 5]) > 1e-3); // m − n = 3 and −3 differ: the score is not symmetric in m − n
    }

    [Fact]
    public void Bad_layout_and_score_arguments_name_the_parameter()
    {
        Assert.Equal("headDim", Assert.Throws<ArgumentOutOfRangeException>(() => RotaryEmbedding.ToRotateHalfLayout(new float[6], 3)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => RotaryEmbedding.ToInterleavedLayout(new float[6], 4)).ParamName);
        var rope = new RotaryEmbedding(4, 8);
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => rope.ScoreMatrix(new float[3], new float[4])).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => rope.ScoreMatrix(new float[4], new float[] { 0, 0, float.NaN, 0 })).ParamName);
    }

    [Fact]
    public void Apply_rotates_each_head_of_a_multi_head_row()
    {
        var rope = new RotaryEmbedding(4, 8);
        float[] row = [1, 0, 0, 0, 1, 0, 0, 0];
        rope.Apply(row, 2);
        Assert.Equal(row[0..4], row[4..8]);
        Assert.Equal(Math.Cos(2), row[0], 1e-6);
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

    [Fact]
    public void NaN_and_infinite_inputs_are_rejected_as_ScoreMatrix_rejects_them()
    {
        var rope = new RotaryEmbedding(4, 8);
        var apply = Assert.Throws<ArgumentException>(() => rope.Apply(new[] { 1f, float.NaN, 0f, 0f }, 1));
        Assert.Equal("x", apply.ParamName);
        Assert.Contains("x[1] = NaN", apply.Message);
        Assert.Equal("vector", Assert.Throws<ArgumentException>(() => rope.Rotate([0f, 0f, float.PositiveInfinity, 0f], 0)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => rope.ScoreMatrix([float.NaN, 0, 0, 0], new float[4])).ParamName);
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
