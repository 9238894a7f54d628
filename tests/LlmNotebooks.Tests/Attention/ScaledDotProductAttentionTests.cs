using LlmNotebooks.Attention;
using LlmNotebooks.Numerics;
using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Tests.Attention;

public class ScaledDotProductAttentionTests
{
    // Inputs shared by the reference-value tests: q[i, j] = sin(1 + 3i + j), k[i, j] = cos(2 + 5i − j), v[i, j] = (i − j)/3 + j/10.
    private static readonly float[,] Q = Make(3, 4, (i, j) => Math.Sin(1 + i * 3 + j));
    private static readonly float[,] K = Make(3, 4, (i, j) => Math.Cos(2 + i * 5 - j));
    private static readonly float[,] V = Make(3, 2, (i, j) => (i - j) / 3.0 + 0.1 * j);

    [Fact]
    public void Matches_pytorch_softmax_of_scaled_scores_times_v()
    {
        // Reference: PyTorch 1.13 (float64), torch.softmax(q @ k.T / sqrt(4), -1) @ v.
        double[,] expectedW = { { 0.1671264494, 0.4943136104, 0.3385599402 }, { 0.4910755273, 0.1925611587, 0.3163633140 }, { 0.2305710591, 0.4975868804, 0.2718420605 } };
        double[,] expectedOut = { { 0.3904778303, 0.1571444969 }, { 0.2750959289, 0.0417625956 }, { 0.3470903338, 0.1137570005 } };
        AssertClose(expectedW, ScaledDotProductAttention.Weights(Q, K), 1e-6);
        AssertClose(expectedOut, ScaledDotProductAttention.Compute(Q, K, V), 1e-6);
    }

    [Fact]
    public void Causal_mask_matches_pytorch_masked_fill_with_minus_infinity()
    {
        // Reference: PyTorch 1.13, scores.masked_fill(torch.triu(ones(3,3), 1).bool(), -inf), softmax, @ v.
        // Query 0 sees only key 0, so its output is v[0]; the last query sees everything, as without the mask.
        double[,] expected = { { 0.0, -0.2333333333 }, { 0.0938905916, -0.1394427417 }, { 0.3470903338, 0.1137570005 } };
        AssertClose(expected, ScaledDotProductAttention.Compute(Q, K, V, causal: true), 1e-6);
        var w = ScaledDotProductAttention.Weights(Q, K, causal: true);
        Assert.Equal(0f, w[0, 1]);
        Assert.Equal(0f, w[1, 2]);
    }

    [Fact]
    public void Alibi_bias_matches_pytorch()
    {
        // Reference: PyTorch 1.13, softmax(q @ k.T / 2 + B) @ v with B[i, j] = −0.5 (i − j) for j ≤ i, −inf above.
        double[,] expected = { { 0.0, -0.2333333333 }, { 0.1308835299, -0.1024498034 }, { 0.4280077617, 0.1946744283 } };
        AssertClose(expected, ScaledDotProductAttention.Compute(Q, K, V, bias: Alibi.Bias(3, 0.5)), 1e-6);
    }

    [Fact]
    public void Rows_of_the_weights_sum_to_one_and_are_non_negative()
    {
        Gen.Int[1, 12].SelectMany(n => Gen.Int[1, 8].Select(d => (n, d))).Select(Gen.Int, Gen.Bool).Sample(((int n, int d) s, int seed, bool causal) =>
        {
            var q = Matrices.RandomNormal(s.n, s.d, seed, 3);
            var k = Matrices.RandomNormal(s.n, s.d, seed + 1, 3);
            var w = ScaledDotProductAttention.Weights(q, k, causal);
            for (int i = 0; i < s.n; i++)
            {
                double sum = 0;
                for (int j = 0; j < s.n; j++)
                {
                    Assert.True(w[i, j] >= 0);
                    if (causal && j > i) Assert.Equal(0f, w[i, j]);
                    sum += w[i, j];
                }
                Assert.Equal(1.0, sum, 1e-5);
            }
        });
    }

    [Fact]
    public void Huge_scores_do_not_overflow()
    {
        float[,] q = { { 1000f } }, k = { { 1000f }, { 999f } };
        var w = ScaledDotProductAttention.Weights(q, k); // scores 1e6 and 999000: softmax must subtract the max
        Assert.Equal(1f, w[0, 0]);
        Assert.Equal(0f, w[0, 1]);
    }

    [Fact]
    public void Causal_with_fewer_queries_than_keys_counts_from_the_lower_right_corner()
    {
        // As GPT-2's attention_mask(nd, ns): with a KV cache the single new query sees every key.
        var q = Matrices.RandomNormal(1, 4, 1);
        var k = Matrices.RandomNormal(5, 4, 2);
        var w = ScaledDotProductAttention.Weights(q, k, causal: true);
        for (int j = 0; j < 5; j++) Assert.True(w[0, j] > 0);
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        var q = Matrices.RandomNormal(3, 4, 1);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(q, new float[3, 5])).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(q, new float[2, 4], causal: true)).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(new float[0, 4], q)).ParamName);
        var nan = (float[,])q.Clone();
        nan[1, 2] = float.NaN;
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(nan, q)).ParamName);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Compute(q, q, new float[2, 4])).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(q, q, bias: new float[3, 2])).ParamName);
        var allMasked = new float[3, 3];
        for (int j = 0; j < 3; j++) allMasked[1, j] = float.NegativeInfinity;
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(q, q, bias: allMasked)).ParamName);
        var plusInf = new float[3, 3];
        plusInf[0, 0] = float.PositiveInfinity;
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => ScaledDotProductAttention.Weights(q, q, bias: plusInf)).ParamName);
    }

    internal static float[,] Make(int rows, int cols, Func<int, int, double> f)
    {
        var m = new float[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = (float)f(i, j);
        return m;
    }

    internal static void AssertClose(double[,] expected, float[,] actual, double tol)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tol, $"[{i}, {j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }
}
