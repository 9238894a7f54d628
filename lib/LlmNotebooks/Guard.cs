using System.Runtime.CompilerServices;

namespace LlmNotebooks;

/// <summary>
/// Argument checks shared by every topic. Each throws an <see cref="ArgumentException"/> (or subclass) whose
/// message names the parameter, the value and the allowed range. NaN and ±Inf are always bad input.
/// Nothing is clamped.
/// </summary>
internal static class Guard
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> ≥ 1.</summary>
    public static int Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 1; got {value}.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> ≥ 0.</summary>
    public static int NonNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 0; got {value}.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is even and ≥ 2.</summary>
    public static int EvenPositive(int value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value >= 2 && value % 2 == 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be even and ≥ 2 (it is split into pairs); got {value}.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is finite.</summary>
    public static double Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number; got {value}.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is finite and &gt; 0.</summary>
    public static double PositiveFinite(double value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0; got {value}.");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> lies in (0, 1].</summary>
    public static double UnitIntervalOpenClosed(double value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value > 0 && value <= 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in (0, 1]; got {value}.");

    /// <summary>Throws <see cref="ArgumentException"/> if any element is NaN or ±Inf; names the first bad index.</summary>
    public static void AllFinite(ReadOnlySpan<float> values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{name} must contain only finite numbers; {name}[{i}] = {values[i]}.", name);
    }

    /// <inheritdoc cref="AllFinite(ReadOnlySpan{float}, string?)"/>
    public static void AllFinite(ReadOnlySpan<double> values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name} must contain only finite numbers; {name}[{i}] = {values[i]}.", name);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="id"/> lies in [0, vocabSize).</summary>
    public static int TokenId(int id, int vocabSize, [CallerArgumentExpression(nameof(id))] string? name = null) =>
        (uint)id < (uint)vocabSize
            ? id
            : throw new ArgumentOutOfRangeException(name, id, $"{name} = {id} lies outside [0, vocabSize = {vocabSize}).");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless every id lies in [0, vocabSize); names the first bad index.</summary>
    public static void TokenIds(ReadOnlySpan<int> ids, int vocabSize, [CallerArgumentExpression(nameof(ids))] string? name = null)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)vocabSize)
                throw new ArgumentOutOfRangeException(name, ids[i], $"{name}[{i}] = {ids[i]} lies outside [0, vocabSize = {vocabSize}).");
    }

    /// <summary>Throws <see cref="ArgumentException"/> if <paramref name="values"/> is empty.</summary>
    public static void NotEmpty<T>(ReadOnlySpan<T> values, [CallerArgumentExpression(nameof(values))] string? name = null)
    {
        if (values.IsEmpty) throw new ArgumentException($"{name} must not be empty.", name);
    }
}
