using System.Numerics.Tensors;

namespace LlmNotebooks.Normalization;

/// <summary>
/// The norms the GPT model runs, over rows of a row-major matrix x [rows, width] (a row is one token, a column one channel),
/// in float32 with System.Numerics.Tensors SIMD. No argument checks: callers pass matching shapes. y may be x (in place).
/// </summary>
internal static class NormKernels
{
    /// <summary>LayerNorm per row (Ba et al. 2016 eq. 4, biased variance, as torch.nn.LayerNorm): y = (x − μ)/√(σ² + ε)·γ + β; β empty = no bias.</summary>
    public static void LayerNorm(ReadOnlySpan<float> x, Span<float> y, int width, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon)
    {
        for (int r = 0, rows = x.Length / width; r < rows; r++)
        {
            var xr = x.Slice(r * width, width);
            var yr = y.Slice(r * width, width);
            float mean = TensorPrimitives.Sum(xr) / width;                         // μ
            TensorPrimitives.Subtract(xr, mean, yr);                               // x − μ
            float variance = TensorPrimitives.SumOfSquares(yr) / width;            // σ² = mean((x − μ)²)
            TensorPrimitives.Multiply(yr, 1f / MathF.Sqrt(variance + epsilon), yr);
            Affine(yr, gamma, beta);
        }
    }

    /// <summary>RMSNorm per row (Zhang and Sennrich 2019, arXiv:1910.07467): y = x/√(mean(x²) + ε)·γ; no mean subtraction.</summary>
    public static void RmsNorm(ReadOnlySpan<float> x, Span<float> y, int width, ReadOnlySpan<float> gamma, float epsilon)
    {
        for (int r = 0, rows = x.Length / width; r < rows; r++)
        {
            var xr = x.Slice(r * width, width);
            var yr = y.Slice(r * width, width);
            float meanSquare = TensorPrimitives.SumOfSquares(xr) / width;          // mean(x²)
            TensorPrimitives.Multiply(xr, 1f / MathF.Sqrt(meanSquare + epsilon), yr);
            TensorPrimitives.Multiply(yr, gamma, yr);
        }
    }

    /// <summary>Per-channel μ_c and biased σ²_c = mean over rows of (x − μ_c)², [width] each: BatchNorm's train-mode statistics over (batch, time).</summary>
    public static void ColumnStatistics(ReadOnlySpan<float> x, int width, Span<float> mean, Span<float> variance)
    {
        int rows = x.Length / width;
        var scratch = new float[width];
        mean.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(mean, x.Slice(r * width, width), mean);
        TensorPrimitives.Divide(mean, rows, mean);
        variance.Clear();
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Subtract(x.Slice(r * width, width), mean, scratch);
            TensorPrimitives.MultiplyAdd(scratch, scratch, variance, variance);    // Σ (x − μ)²
        }
        TensorPrimitives.Divide(variance, rows, variance);
    }

    /// <summary>1/√(σ² + ε) per channel, the factor <see cref="BatchNorm"/> multiplies by.</summary>
    public static void InverseStd(ReadOnlySpan<float> variance, float epsilon, Span<float> inverseStd)
    {
        TensorPrimitives.Add(variance, epsilon, inverseStd);
        TensorPrimitives.Sqrt(inverseStd, inverseStd);
        TensorPrimitives.Reciprocal(inverseStd, inverseStd);
    }

    /// <summary>BatchNorm with given statistics (Ioffe and Szegedy 2015, Algorithm 1): y = (x − μ_c)·inverseStd_c·γ + β per channel c,
    /// inverseStd_c = 1/√(σ²_c + ε) (<see cref="InverseStd"/>); β empty = no bias.</summary>
    public static void BatchNorm(ReadOnlySpan<float> x, Span<float> y, int width, ReadOnlySpan<float> mean, ReadOnlySpan<float> inverseStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta)
    {
        for (int r = 0, rows = x.Length / width; r < rows; r++)
        {
            var yr = y.Slice(r * width, width);
            TensorPrimitives.Subtract(x.Slice(r * width, width), mean, yr);
            TensorPrimitives.Multiply(yr, inverseStd, yr);
            Affine(yr, gamma, beta);
        }
    }

    // y = y·γ + β, or y·γ without bias.
    private static void Affine(Span<float> y, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta)
    {
        if (beta.IsEmpty) TensorPrimitives.Multiply(y, gamma, y);
        else TensorPrimitives.FusedMultiplyAdd(y, gamma, beta, y);
    }
}
