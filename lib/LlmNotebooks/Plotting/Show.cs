using System.Globalization;

namespace LlmNotebooks.Plotting;

/// <summary>
/// Short text forms for values printed in notebook cells: numbers in scientific notation, tokens with their whitespace
/// made visible, lists in brackets, an exception's message without .NET's parameter suffix. All culture-invariant.
/// </summary>
public static class Show
{
    /// <summary>The .NET format string of <see cref="Sci(double)"/>, for <see cref="Table.WithFormats"/>: "0.0e+00".</summary>
    public const string SciFormat = "0.0e+00";

    /// <summary>Scientific notation with one decimal, e.g. 1.8e-07, 1.1e+00; NaN and ±∞ as "NaN", "∞", "-∞".</summary>
    public static string Sci(double value) => Sci(value, digits: 1);

    /// <summary>Scientific notation with <paramref name="digits"/> decimals in the mantissa, e.g. Sci(2.5e-12, 2) = "2.50e-12".</summary>
    /// <exception cref="ArgumentOutOfRangeException">digits outside [0, 15].</exception>
    public static string Sci(double value, int digits)
    {
        if (digits is < 0 or > 15)
            throw new ArgumentOutOfRangeException(nameof(digits), digits, $"digits must lie in [0, 15]; got {digits}.");
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "∞" : "-∞";
        string format = digits == 0 ? "0e+00" : "0." + new string('0', digits) + "e+00";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A token with its whitespace visible: space → ␣, newline → ⏎, tab → ⇥, carriage return → ␍. In GPT-2's byte-level
    /// BPE a leading space belongs to the token (" the"), so Token(" the") = "␣the".
    /// </summary>
    /// <exception cref="ArgumentNullException">token is null.</exception>
    public static string Token(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Replace(' ', '␣').Replace('\n', '⏎').Replace('\t', '⇥').Replace('\r', '␍');
    }

    /// <summary>Text on one line: each line break (\n or \r\n) becomes " ⏎ ", e.g. for a generated continuation in a table.</summary>
    /// <exception cref="ArgumentNullException">text is null.</exception>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", " ⏎ ", StringComparison.Ordinal);
    }

    /// <summary>Items in brackets, comma-separated, numbers culture-invariant: List([1, 3, 0]) = "[1, 3, 0]".</summary>
    /// <exception cref="ArgumentNullException">items is null.</exception>
    public static string List<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return "[" + string.Join(", ", items.Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString())) + "]";
    }

    /// <summary>
    /// The exception's message without what .NET appends to an <see cref="ArgumentException"/>'s: the
    /// " (Parameter 'name')" suffix and an <see cref="ArgumentOutOfRangeException"/>'s "Actual value was …" line.
    /// Other exceptions' messages are returned unchanged.
    /// </summary>
    /// <exception cref="ArgumentNullException">exception is null.</exception>
    public static string Message(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception is not ArgumentException { ParamName: { Length: > 0 } name }) return message;
        // The suffix as this runtime words it: the message of an ArgumentException with an empty text and the same name.
        string suffix = new ArgumentException("", name).Message;
        int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
        return at >= 0 ? message[..at] : message;
    }
}
