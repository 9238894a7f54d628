using System.Numerics.Tensors;

namespace LlmNotebooks.Numerics;

/// <summary>
/// Small dense-matrix helpers for the attention experiments: seeded random matrices, sums, products and the
/// differences the notebooks report. Matrices are <c>float[,]</c>, row-major, shape [rows, cols].
/// </summary>
public static class Matrices
{
    /// <summary>A matrix of independent N(0, std²) samples (Box–Muller); the same seed gives the same matrix.</summary>
    /// <param name="rows">Number of rows; ≥ 1.</param>
    /// <param name="cols">Number of columns; ≥ 1.</param>
    /// <param name="seed">Seed for <see cref="System.Random"/>.</param>
    /// <param name="std">Standard deviation; finite and &gt; 0.</param>
    /// <returns>Shape [rows, cols].</returns>
    /// <exception cref="ArgumentOutOfRangeException">rows or cols &lt; 1; std not finite or ≤ 0.</exception>
    public static float[,] RandomNormal(int rows, int cols, int seed, double std = 1.0) =>
        RandomNormal(rows, cols, new Random(seed), std);

    /// <inheritdoc cref="RandomNormal(int, int, int, double)"/>
    /// <param name="rows">Number of rows; ≥ 1.</param>
    /// <param name="cols">Number of columns; ≥ 1.</param>
    /// <param name="random">Source of randomness; advanced by rows · cols draws (rounded up to even).</param>
    /// <param name="std">Standard deviation; finite and &gt; 0.</param>
    /// <exception cref="ArgumentNullException">random is null.</exception>
    public static float[,] RandomNormal(int rows, int cols, Random random, double std = 1.0)
    {
        Guard.Positive(rows);
        Guard.Positive(cols);
        ArgumentNullException.ThrowIfNull(random);
        Guard.PositiveFinite(std);
        var m = new float[rows, cols];
        Array2D.FillNormal(Array2D.AsSpan(m), random, std);
        return m;
    }

    /// <summary>Element-wise sum a + b, e.g. token embeddings plus positional encodings.</summary>
    /// <param name="a">Shape [rows, cols]; finite.</param>
    /// <param name="b">Same shape as a; finite.</param>
    /// <returns>A new matrix, shape [rows, cols].</returns>
    /// <exception cref="ArgumentException">Empty input, shapes differ, or a NaN/Inf entry.</exception>
    public static float[,] Add(float[,] a, float[,] b)
    {
        Array2D.CheckFinite(a);
        Array2D.CheckFinite(b);
        Array2D.CheckSameShape(a, b);
        var sum = new float[a.GetLength(0), a.GetLength(1)];
        TensorPrimitives.Add(Array2D.AsSpan(a), Array2D.AsSpan(b), Array2D.AsSpan(sum));
        return sum;
    }

    /// <summary>Matrix product a · b.</summary>
    /// <param name="a">Shape [n, k]; finite.</param>
    /// <param name="b">Shape [k, m]; finite.</param>
    /// <returns>Shape [n, m]; each entry a float32 dot product (System.Numerics.Tensors, SIMD).</returns>
    /// <exception cref="ArgumentException">Empty input, inner dimensions differ, or a NaN/Inf entry.</exception>
    public static float[,] Multiply(float[,] a, float[,] b)
    {
        Array2D.CheckFinite(a);
        Array2D.CheckFinite(b);
        if (a.GetLength(1) != b.GetLength(0))
            throw new ArgumentException($"b must have {a.GetLength(1)} rows (the columns of a); got {b.GetLength(0)}.", nameof(b));
        return MultiplyUnchecked(a, b);
    }

    /// <summary>A copy of one row, e.g. a single query vector out of a random matrix.</summary>
    /// <param name="m">Shape [rows, cols], rows and cols ≥ 1.</param>
    /// <param name="row">Row index in [0, rows).</param>
    /// <returns>Shape [cols].</returns>
    /// <exception cref="ArgumentException">m is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">row outside [0, rows).</exception>
    public static float[] Row(float[,] m, int row)
    {
        Array2D.CheckNotEmpty(m);
        if (row < 0 || row >= m.GetLength(0))
            throw new ArgumentOutOfRangeException(nameof(row), row, $"row must lie in [0, {m.GetLength(0)}); got {row}.");
        return Array2D.Row(m, row).ToArray();
    }

    /// <summary>max over all entries of |a − b| (the L∞ distance), computed in double.</summary>
    /// <param name="a">Shape [rows, cols]; finite.</param>
    /// <param name="b">Same shape as a; finite.</param>
    /// <exception cref="ArgumentException">Empty input, shapes differ, or a NaN/Inf entry.</exception>
    public static double MaxAbsDifference(float[,] a, float[,] b) => RowMaxAbsDifference(a, b).Max();

    /// <summary>For each row r: max over columns of |a[r, c] − b[r, c]|, computed in double.</summary>
    /// <param name="a">Shape [rows, cols]; finite.</param>
    /// <param name="b">Same shape as a; finite.</param>
    /// <returns>Shape [rows].</returns>
    /// <exception cref="ArgumentException">Empty input, shapes differ, or a NaN/Inf entry.</exception>
    public static double[] RowMaxAbsDifference(float[,] a, float[,] b)
    {
        Array2D.CheckFinite(a);
        Array2D.CheckFinite(b);
        Array2D.CheckSameShape(a, b);
        int rows = a.GetLength(0), cols = a.GetLength(1);
        var result = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                result[r] = Math.Max(result[r], Math.Abs((double)a[r, c] - b[r, c]));
        return result;
    }

    /// <summary>
    /// How far <paramref name="s"/> is from being Toeplitz (constant along every diagonal, i.e. a function of
    /// row − col only): max over entries of |s[m, n] − s[m − t, n − t]| with t = min(m, n), the first entry of its diagonal.
    /// 0 for a Toeplitz matrix.
    /// </summary>
    /// <param name="s">Shape [rows, cols], rows and cols ≥ 1; finite.</param>
    /// <exception cref="ArgumentException">Empty input or a NaN/Inf entry.</exception>
    public static double ToeplitzDeviation(double[,] s)
    {
        ArgumentNullException.ThrowIfNull(s);
        int rows = s.GetLength(0), cols = s.GetLength(1);
        if (rows == 0 || cols == 0)
            throw new ArgumentException($"s must have ≥ 1 row and ≥ 1 column; got [{rows}, {cols}].", nameof(s));
        double worst = 0;
        for (int m = 0; m < rows; m++)
            for (int n = 0; n < cols; n++)
            {
                if (!double.IsFinite(s[m, n]))
                    throw new ArgumentException($"s must contain only finite numbers; s[{m}, {n}] = {s[m, n]}.", nameof(s));
                int t = Math.Min(m, n);
                worst = Math.Max(worst, Math.Abs(s[m, n] - s[m - t, n - t]));
            }
        return worst;
    }

    internal static float[,] MultiplyUnchecked(float[,] a, float[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var bt = new float[m, k]; // columns of b as contiguous rows
        for (int i = 0; i < k; i++)
            for (int j = 0; j < m; j++) bt[j, i] = b[i, j];
        var c = new float[n, m];
        for (int i = 0; i < n; i++)
        {
            var row = Array2D.Row(a, i);
            for (int j = 0; j < m; j++) c[i, j] = TensorPrimitives.Dot(row, Array2D.Row(bt, j));
        }
        return c;
    }
}
