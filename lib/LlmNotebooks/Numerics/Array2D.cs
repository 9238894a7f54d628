using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmNotebooks.Numerics;

/// <summary>Row-major views of <c>float[,]</c> and the argument checks every 2-D input gets.</summary>
internal static class Array2D
{
    /// <summary>The whole array as one row-major span of length rows · cols.</summary>
    public static Span<float> AsSpan(float[,] a) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length);

    /// <summary>Row <paramref name="r"/> as a span of length cols.</summary>
    public static Span<float> Row(float[,] a, int r) => AsSpan(a).Slice(r * a.GetLength(1), a.GetLength(1));

    /// <summary>Throws unless <paramref name="a"/> is non-null, has ≥ 1 row and ≥ 1 column and only finite entries.</summary>
    public static void CheckFinite(float[,]? a, [CallerArgumentExpression(nameof(a))] string? name = null)
    {
        CheckNotEmpty(a, name);
        Guard.AllFinite(AsSpan(a!), name);
    }

    /// <summary>Throws unless <paramref name="a"/> is non-null with ≥ 1 row and ≥ 1 column.</summary>
    public static void CheckNotEmpty(float[,]? a, [CallerArgumentExpression(nameof(a))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(a, name);
        if (a.GetLength(0) == 0 || a.GetLength(1) == 0)
            throw new ArgumentException($"{name} must have ≥ 1 row and ≥ 1 column; got [{a.GetLength(0)}, {a.GetLength(1)}].", name);
    }

    /// <summary>Throws unless <paramref name="b"/> has the shape of <paramref name="a"/>.</summary>
    public static void CheckSameShape(float[,] a, float[,] b, [CallerArgumentExpression(nameof(a))] string? nameA = null,
        [CallerArgumentExpression(nameof(b))] string? nameB = null)
    {
        if (a.GetLength(0) != b.GetLength(0) || a.GetLength(1) != b.GetLength(1))
            throw new ArgumentException(
                $"{nameB} must have the shape of {nameA}, [{a.GetLength(0)}, {a.GetLength(1)}]; got [{b.GetLength(0)}, {b.GetLength(1)}].", nameB);
    }

    /// <summary>Standard normal samples (Box–Muller, two uniforms per pair) scaled by <paramref name="std"/>.</summary>
    public static void FillNormal(Span<float> values, Random random, double std)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(); // (0, 1]: log stays finite
            double u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2 * Math.PI * u2);
            values[i] = (float)(std * r * cos);
            if (i + 1 < values.Length) values[i + 1] = (float)(std * r * sin);
        }
    }
}
