using System.Globalization;
using System.Net;
using System.Numerics;
using System.Reflection;
using System.Text;
using Microsoft.Data.Analysis;

namespace LlmNotebooks.Plotting;

/// <summary>
/// A plain table for notebooks and handouts: one row per item, one column per public property, numbers right-aligned
/// and formatted (integers with thousands separators, other numbers with 6 significant digits unless a column format is
/// given). .NET Interactive shows a list of records as collapsed trees; this shows a table, the same in every editor
/// and in the handouts. Tables are values: <c>With…</c> methods return a new table. A Microsoft.Data.Analysis
/// <see cref="DataFrame"/> shows the same way through <see cref="FromDataFrame"/> (its own formatter prints every
/// double in full).
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource<Table>), PreferredMimeTypes = ["text/html"])]
public sealed class Table : IHtmlDisplay
{
    private readonly string[] _columns;
    private readonly object?[][] _rows;
    private readonly Dictionary<string, string> _formats;

    private Table(string[] columns, object?[][] rows, string? title, Dictionary<string, string> formats)
    {
        _columns = columns;
        _rows = rows;
        Title = title;
        _formats = formats;
    }

    /// <summary>Column names, in order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Number of rows.</summary>
    public int RowCount => _rows.Length;

    /// <summary>The caption above the table, or null.</summary>
    public string? Title { get; }

    /// <summary>The raw value at (row, column).</summary>
    /// <exception cref="ArgumentOutOfRangeException">row or column out of range.</exception>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public object? this[int row, string column] => _rows[row][ColumnIndex(column)];

    /// <summary>A table whose columns are <typeparamref name="T"/>'s public instance properties, in declaration order.</summary>
    /// <param name="rows">The items; one row each.</param>
    /// <param name="title">Caption, or null.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no public readable property.</exception>
    public static Table From<T>(IEnumerable<T> rows, string? title = null)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken).ToArray();
        if (properties.Length == 0)
            throw new ArgumentException($"{typeof(T).Name} has no public property to show as a column.", nameof(rows));
        return new Table([.. properties.Select(p => p.Name)],
            [.. rows.Select(r => properties.Select(p => r is null ? null : p.GetValue(r)).ToArray())], title, []);
    }

    /// <summary>A table from column names and rows of values.</summary>
    /// <exception cref="ArgumentException">No columns, duplicate names, or a row whose length differs from the columns'.</exception>
    public static Table From(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows, string? title = null)
    {
        if (columns.Count == 0) throw new ArgumentException("columns must not be empty.", nameof(columns));
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new ArgumentException("columns must have distinct names.", nameof(columns));
        var data = rows.Select(r => r.ToArray()).ToArray();
        for (int i = 0; i < data.Length; i++)
            if (data[i].Length != columns.Count)
                throw new ArgumentException($"row {i} has {data[i].Length} values; there are {columns.Count} columns.", nameof(rows));
        return new Table([.. columns], data, title, []);
    }

    /// <summary>A table of a data frame's columns, in order, and its rows (no index column); nulls show as empty cells.</summary>
    /// <remarks>Not an overload of From: so a cell that only shows records compiles without Microsoft.Data.Analysis.</remarks>
    /// <param name="frame">The data frame; its typed columns keep their types (numbers right-aligned and formattable).</param>
    /// <param name="title">Caption, or null.</param>
    /// <exception cref="ArgumentException">The frame has no columns.</exception>
    public static Table FromDataFrame(DataFrame frame, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = frame.Columns.Select(c => c.Name).ToArray();
        if (columns.Length == 0) throw new ArgumentException("frame must have at least one column.", nameof(frame));
        return From(columns, frame.Rows.Select(r => (IReadOnlyList<object?>)r.ToArray()), title);
    }

    /// <summary>Formats a column's numbers with a .NET format string, e.g. "0.000", "P1", "E2", "N0".</summary>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public Table WithFormat(string column, string format)
    {
        ColumnIndex(column);
        return new Table(_columns, _rows, Title, new Dictionary<string, string>(_formats) { [column] = format });
    }

    /// <summary>Formats several columns' numbers with one .NET format string, e.g. WithFormats("0.000", "p", "q").</summary>
    /// <exception cref="ArgumentException">No column given.</exception>
    /// <exception cref="KeyNotFoundException">No column has one of the names.</exception>
    public Table WithFormats(string format, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (columns.Length == 0) throw new ArgumentException("columns must name at least one column.", nameof(columns));
        var formats = new Dictionary<string, string>(_formats);
        foreach (var column in columns)
        {
            ColumnIndex(column);
            formats[column] = format;
        }
        return new Table(_columns, _rows, Title, formats);
    }

    /// <summary>Sets the caption.</summary>
    public Table WithTitle(string title) => new(_columns, _rows, title, _formats);

    /// <summary>The cell's text as displayed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">row out of range.</exception>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public string Text(int row, string column) => Format(_rows[row][ColumnIndex(column)], column);

    /// <inheritdoc/>
    public string ToHtml()
    {
        var html = new StringBuilder("<table class=\"llmnb-table\">");
        if (Title is not null) html.Append("<caption>").Append(WebUtility.HtmlEncode(Title)).Append("</caption>");
        html.Append("<thead><tr>");
        foreach (var c in _columns) html.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < _columns.Length; c++)
            {
                html.Append(IsNumber(row[c]) ? "<td style=\"text-align:right\">" : "<td>");
                html.Append(WebUtility.HtmlEncode(Format(row[c], _columns[c]))).Append("</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The table as aligned plain text.</summary>
    public override string ToString()
    {
        var cells = _rows.Select(r => r.Select((v, c) => Format(v, _columns[c])).ToArray()).ToArray();
        var widths = _columns.Select((c, i) => Math.Max(c.Length, cells.Length == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        text.AppendLine(string.Join("  ", _columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        foreach (var (row, values) in cells.Zip(_rows))
            text.AppendLine(string.Join("  ", row.Select((v, i) => IsNumber(values[i]) ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
        return text.ToString();
    }

    private int ColumnIndex(string column)
    {
        int i = Array.IndexOf(_columns, column);
        return i >= 0 ? i : throw new KeyNotFoundException($"No column named \"{column}\"; columns: {string.Join(", ", _columns)}.");
    }

    private string Format(object? value, string column)
    {
        var ci = CultureInfo.InvariantCulture;
        if (value is null) return "";
        if (_formats.TryGetValue(column, out var format) && value is IFormattable f) return f.ToString(format, ci);
        return value switch
        {
            double d => FormatReal(d),
            float s => FormatReal(s),
            decimal m => m.ToString(ci),
            sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger => ((IFormattable)value).ToString("N0", ci),
            DateOnly date => date.ToString("yyyy-MM-dd", ci),
            DateTime time => time.ToString("yyyy-MM-dd HH:mm", ci),
            IFormattable other => other.ToString(null, ci),
            _ => value.ToString() ?? "",
        };

        static string FormatReal(double d) => double.IsFinite(d) ? d.ToString("G6", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture);
    }

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or BigInteger;
}
