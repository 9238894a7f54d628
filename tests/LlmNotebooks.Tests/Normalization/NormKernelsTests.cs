using LlmNotebooks.Normalization;

namespace LlmNotebooks.Tests.Normalization;

public class NormKernelsTests
{
    [Fact]
    public void RMSNorm_of_1_2_3_4_with_float32_eps_matches_torch()
    {
        // torch.nn.RMSNorm(4) (eps = finfo(float32).eps = 2^-23, weight 1) on [1, 2, 3, 4]: x / √(7.5 + ε).
        float[] y = new float[4];
        NormKernels.RmsNorm([1f, 2f, 3f, 4f], y, 4, [1f, 1f, 1f, 1f], MathF.Pow(2, -23));
        double[] expected = [0.3651483688, 0.7302967375, 1.0954451063, 1.4605934751];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], y[i], 1e-7);
    }

    [Fact]
    public void LayerNorm_uses_the_biased_variance_and_applies_gain_and_bias()
    {
        // torch.nn.LayerNorm(4) on [1, 2, 3, 4]: μ = 2.5, σ² = 1.25 (biased), (x − μ)/√(1.25 + 1e-5).
        float[] y = new float[8];
        NormKernels.LayerNorm([1f, 2f, 3f, 4f, 2f, 2f, 2f, 2f], y, 4, [2f, 1f, 1f, 1f], [0f, 0f, 0f, 0.5f], 1e-5f);
        double s = Math.Sqrt(1.25 + 1e-5);
        Assert.Equal(2 * -1.5 / s, y[0], 1e-6);
        Assert.Equal(-0.5 / s, y[1], 1e-6);
        Assert.Equal(1.5 / s + 0.5, y[3], 1e-6);
        Assert.Equal([0f, 0f, 0f, 0.5f], y[4..]); // a constant row normalizes to 0, leaving β
    }

    [Fact]
    public void BatchNorm_statistics_run_over_rows_per_channel()
    {
        // Two channels over four rows (batch · time): channel 0 = [1, 2, 3, 4] (μ 2.5, biased σ² 1.25), channel 1 constant 7.
        float[] x = [1, 7, 2, 7, 3, 7, 4, 7];
        float[] mean = new float[2], variance = new float[2], inverseStd = new float[2], y = new float[8];
        NormKernels.ColumnStatistics(x, 2, mean, variance);
        Assert.Equal([2.5f, 7f], mean);
        Assert.Equal([1.25f, 0f], variance);
        NormKernels.InverseStd(variance, 1e-5f, inverseStd);
        NormKernels.BatchNorm(x, y, 2, mean, inverseStd, [1f, 3f], [0f, 1f]);
        Assert.Equal(-1.5 / Math.Sqrt(1.25 + 1e-5), y[0], 1e-6);
        Assert.Equal(1f, y[1]); // (7 − 7)·… ·3 + 1
    }
}
