using LlmNotebooks.Attention;
using LlmNotebooks.Numerics;
using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.Attention;

public class SelfAttentionTests
{
    [Fact]
    public void Forward_is_softmax_of_projected_scores_times_projected_values()
    {
        var attn = new SelfAttention(6, 4, 3, seed: 7);
        var x = Matrices.RandomNormal(5, 6, seed: 8);
        var q = Matrices.Multiply(x, attn.Wq);
        var k = Matrices.Multiply(x, attn.Wk);
        var v = Matrices.Multiply(x, attn.Wv);
        Assert.Equal(0.0, Matrices.MaxAbsDifference(ScaledDotProductAttention.Compute(q, k, v, causal: true), attn.Forward(x, causal: true)));
        Assert.Equal(0.0, Matrices.MaxAbsDifference(ScaledDotProductAttention.Weights(q, k), attn.Weights(x)));
    }

    [Fact]
    public void Same_seed_same_weights_and_different_seed_different_weights()
    {
        Assert.Equal(0.0, Matrices.MaxAbsDifference(new SelfAttention(8, 4, 4, 1).Wk, new SelfAttention(8, 4, 4, 1).Wk));
        Assert.True(Matrices.MaxAbsDifference(new SelfAttention(8, 4, 4, 1).Wk, new SelfAttention(8, 4, 4, 2).Wk) > 0.1);
    }

    [Fact]
    public void Weights_have_variance_one_over_dModel()
    {
        var w = new SelfAttention(64, 64, 64, seed: 3).Wq;
        double sumSq = 0;
        foreach (var e in w) sumSq += e * (double)e;
        Assert.InRange(sumSq / w.Length, 1.0 / 64 * 0.94, 1.0 / 64 * 1.06); // 4096 samples: relative standard error ≈ 2 %, so ±3σ
    }

    [Fact]
    public void Without_positions_self_attention_is_permutation_equivariant()
    {
        // Vaswani et al. 2017: nothing in eq. 1 depends on a row's index, so f(PX) = P f(X) (up to float rounding).
        Gen.Int[2, 16].Select(Gen.Int, Gen.Int).Sample((n, seed, permSeed) =>
        {
            var attn = new SelfAttention(8, 8, 8, seed);
            var x = Matrices.RandomNormal(n, 8, seed + 1);
            Assert.True(Permutation.EquivarianceError(z => attn.Forward(z), x, Permutation.Random(n, permSeed)) < 1e-5);
        });
    }

    [Fact]
    public void Positions_break_equivariance()
    {
        var attn = new SelfAttention(16, 16, 16, seed: 1);
        var x = Matrices.RandomNormal(8, 16, seed: 2);
        int[] reverse = [7, 6, 5, 4, 3, 2, 1, 0];
        var pe = SinusoidalPositionalEncoding.Table(8, 16);
        var rope = new RotaryEmbedding(16, 8);
        Assert.True(Permutation.EquivarianceError(z => attn.Forward(Matrices.Add(z, pe)), x, reverse) > 0.05);
        Assert.True(Permutation.EquivarianceError(z => attn.Forward(z, rope: rope), x, reverse) > 0.05);
        Assert.True(Permutation.EquivarianceError(z => attn.Forward(z, bias: Alibi.Bias(8, 0.5)), x, reverse) > 0.05);
        Assert.True(Permutation.EquivarianceError(z => attn.Forward(z, causal: true), x, reverse) > 0.05);
    }

    [Fact]
    public void One_causal_layer_cannot_see_the_order_of_the_prefix_but_two_can()
    {
        // Causal attention at position i is a function of x_i and the multiset {x_0 … x_i}: reordering earlier tokens
        // leaves row i unchanged. A second layer reads the first layer's rows, which do depend on order.
        var emb = new TokenEmbedding(["dog", "bites", "man", "."], 8, seed: 4);
        var a = emb.Embed("dog bites man .");
        var b = emb.Embed("man bites dog .");
        var l1 = new SelfAttention(8, 8, 8, seed: 5);
        var l2 = new SelfAttention(8, 8, 8, seed: 6);
        var one = Matrices.RowMaxAbsDifference(l1.Forward(a, causal: true), l1.Forward(b, causal: true));
        Assert.True(one[3] < 1e-6);
        Assert.True(one[0] > 0.01);
        var two = Matrices.RowMaxAbsDifference(l2.Forward(l1.Forward(a, true), true), l2.Forward(l1.Forward(b, true), true));
        Assert.True(two[3] > 1e-3);
    }

    [Fact]
    public void Rope_rotates_queries_and_keys_by_their_row_index()
    {
        var attn = new SelfAttention(6, 4, 2, seed: 9);
        var rope = new RotaryEmbedding(4, 5);
        var x = Matrices.RandomNormal(3, 6, seed: 10);
        var (q, k, v) = attn.Project(x, rope);
        var (q0, k0, v0) = attn.Project(x);
        for (int i = 0; i < 3; i++)
        {
            var qi = rope.Rotate(Row(q0, i), i);
            var ki = rope.Rotate(Row(k0, i), i);
            for (int j = 0; j < 4; j++) { Assert.Equal(qi[j], q[i, j]); Assert.Equal(ki[j], k[i, j]); }
        }
        Assert.Equal(0.0, Matrices.MaxAbsDifference(v, v0)); // values are never rotated
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("dModel", Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAttention(0, 4, 4, 1)).ParamName);
        Assert.Equal("dK", Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAttention(4, 0, 4, 1)).ParamName);
        Assert.Equal("dV", Assert.Throws<ArgumentOutOfRangeException>(() => new SelfAttention(4, 4, -1, 1)).ParamName);
        var attn = new SelfAttention(4, 4, 4, 1);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => attn.Forward(new float[3, 5])).ParamName);
        Assert.Equal("rope", Assert.Throws<ArgumentException>(() => attn.Forward(new float[3, 4], rope: new RotaryEmbedding(2, 8))).ParamName);
        Assert.Equal("rope", Assert.Throws<ArgumentException>(() => attn.Forward(new float[3, 4], rope: new RotaryEmbedding(4, 2))).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => attn.Forward(new float[3, 4], bias: Alibi.Bias(4, 0.5))).ParamName);
    }

    private static float[] Row(float[,] m, int r) => [.. Enumerable.Range(0, m.GetLength(1)).Select(c => m[r, c])];
}
