namespace LlmNotebooks.Numerics;

/// <summary>
/// Permutations of sequence positions and the equivariance test: a map f on sequences is permutation-equivariant if
/// f(P X) = P f(X) for every permutation matrix P (reorder the tokens and the outputs are reordered the same way).
/// Convention: (P X)[i] = X[permutation[i]], i.e. row i of the result is row permutation[i] of the input.
/// </summary>
public static class Permutation
{
    /// <summary>A uniformly random permutation of 0 … n − 1 (Fisher–Yates); the same seed gives the same permutation.</summary>
    /// <param name="n">Length; ≥ 1.</param>
    /// <param name="seed">Seed for <see cref="System.Random"/>.</param>
    /// <returns>Shape [n].</returns>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1.</exception>
    public static int[] Random(int n, int seed) => Random(n, new Random(seed));

    /// <inheritdoc cref="Random(int, int)"/>
    /// <param name="n">Length; ≥ 1.</param>
    /// <param name="random">Source of randomness.</param>
    /// <exception cref="ArgumentNullException">random is null.</exception>
    public static int[] Random(int n, Random random)
    {
        Guard.Positive(n);
        ArgumentNullException.ThrowIfNull(random);
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>The inverse permutation: inverse[permutation[i]] = i.</summary>
    /// <param name="permutation">A permutation of 0 … n − 1, n ≥ 1.</param>
    /// <returns>Shape [n].</returns>
    /// <exception cref="ArgumentException">Not a permutation of 0 … n − 1.</exception>
    public static int[] Inverse(IReadOnlyList<int> permutation)
    {
        Check(permutation, permutation?.Count ?? 0);
        var inverse = new int[permutation!.Count];
        for (int i = 0; i < inverse.Length; i++) inverse[permutation[i]] = i;
        return inverse;
    }

    /// <summary>P X: row i of the result is row permutation[i] of <paramref name="x"/>.</summary>
    /// <param name="x">Shape [n, cols].</param>
    /// <param name="permutation">A permutation of 0 … n − 1.</param>
    /// <returns>A new matrix, shape [n, cols].</returns>
    /// <exception cref="ArgumentException">x empty; permutation not a permutation of 0 … n − 1 (n = rows of x).</exception>
    public static float[,] PermuteRows(float[,] x, IReadOnlyList<int> permutation)
    {
        Array2D.CheckNotEmpty(x);
        Check(permutation, x.GetLength(0));
        var result = new float[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < permutation.Count; i++) Array2D.Row(x, permutation[i]).CopyTo(Array2D.Row(result, i));
        return result;
    }

    /// <summary>P applied to a sequence of tokens: result[i] = tokens[permutation[i]].</summary>
    /// <param name="tokens">Length n.</param>
    /// <param name="permutation">A permutation of 0 … n − 1.</param>
    /// <returns>Length n.</returns>
    /// <exception cref="ArgumentException">tokens empty; permutation not a permutation of 0 … n − 1.</exception>
    public static T[] Apply<T>(IReadOnlyList<T> tokens, IReadOnlyList<int> permutation)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("tokens must not be empty.", nameof(tokens));
        Check(permutation, tokens.Count);
        return [.. permutation.Select(i => tokens[i])];
    }

    /// <summary>
    /// The equivariance error max |f(P X) − P f(X)| over all entries (L∞, in double). About float32 rounding (≈1e-7
    /// relative) for an equivariant f such as attention without positions; O(1) when f uses positions.
    /// </summary>
    /// <param name="f">A map from [n, dIn] to [n, dOut] (one output row per input row).</param>
    /// <param name="x">The input X, shape [n, dIn]; finite.</param>
    /// <param name="permutation">A permutation of 0 … n − 1.</param>
    /// <exception cref="ArgumentException">x empty or non-finite; bad permutation; f's outputs do not have n rows or differ in shape.</exception>
    public static double EquivarianceError(Func<float[,], float[,]> f, float[,] x, IReadOnlyList<int> permutation)
    {
        ArgumentNullException.ThrowIfNull(f);
        Array2D.CheckFinite(x);
        var px = PermuteRows(x, permutation);
        var fx = f(x);
        var fpx = f(px);
        if (fx.GetLength(0) != x.GetLength(0) || fpx.GetLength(0) != x.GetLength(0))
            throw new ArgumentException($"f must return one row per input row ({x.GetLength(0)}).", nameof(f));
        return Matrices.MaxAbsDifference(fpx, PermuteRows(fx, permutation));
    }

    private static void Check(IReadOnlyList<int>? permutation, int n, string name = "permutation")
    {
        ArgumentNullException.ThrowIfNull(permutation, name);
        if (permutation.Count != n || n == 0)
            throw new ArgumentException($"{name} must have length {n} (≥ 1); got {permutation.Count}.", name);
        var seen = new bool[n];
        for (int i = 0; i < n; i++)
        {
            int p = permutation[i];
            if (p < 0 || p >= n || seen[p])
                throw new ArgumentException($"{name} must contain each of 0 … {n - 1} exactly once; {name}[{i}] = {p}.", name);
            seen[p] = true;
        }
    }
}
