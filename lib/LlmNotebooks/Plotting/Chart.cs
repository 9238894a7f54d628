using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmNotebooks.Plotting;

/// <summary>
/// Factory for the chart kinds the notebooks use — line, scatter, bar, histogram, heatmap — and for combining them
/// (overlay on one set of axes, or a grid of subplots). Each returns a <see cref="Figure"/> whose traces follow the
/// plotly.js reference (https://plotly.com/javascript/reference/). x values may be numbers, strings (categories) or
/// DateTime/DateOnly (date axis); y and z values are numbers, and NaN/±Inf are drawn as gaps.
/// </summary>
public static class Chart
{
    /// <summary>A line through (x[i], y[i]).</summary>
    /// <exception cref="ArgumentException">x and y differ in length, or are empty.</exception>
    public static Figure Line<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null) where TY : INumberBase<TY> =>
        XY("lines", x, y, name);

    /// <summary>A line through (i, y[i]) for i = 0, 1, ….</summary>
    /// <exception cref="ArgumentException">y is empty.</exception>
    public static Figure Line<TY>(IEnumerable<TY> y, string? name = null) where TY : INumberBase<TY>
    {
        var ys = y.ToArray();
        return XY("lines", Enumerable.Range(0, ys.Length), ys, name);
    }

    /// <summary>Markers at (x[i], y[i]); with <paramref name="labels"/>, each marker is labelled (e.g. a model's name).</summary>
    /// <exception cref="ArgumentException">x, y (and labels) differ in length, or are empty.</exception>
    public static Figure Scatter<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null, IEnumerable<string>? labels = null)
        where TY : INumberBase<TY>
    {
        var fig = XY(labels is null ? "markers" : "markers+text", x, y, name);
        if (labels is null) return fig;
        var text = labels.ToArray();
        var trace = fig.Traces.Single();
        if (text.Length != trace["x"]!.AsArray().Count)
            throw new ArgumentException($"labels must have one entry per point ({trace["x"]!.AsArray().Count}); got {text.Length}.", nameof(labels));
        trace["text"] = new JsonArray([.. text.Select(t => (JsonNode?)JsonValue.Create(t))]);
        trace["textposition"] = "top center";
        return new Figure([trace], fig.Layout);
    }

    /// <summary>Vertical bars: one bar per category.</summary>
    /// <exception cref="ArgumentException">categories and values differ in length, or are empty.</exception>
    public static Figure Bar<TY>(IEnumerable<string> categories, IEnumerable<TY> values, string? name = null) where TY : INumberBase<TY>
    {
        var fig = XY("", categories, values, name);
        var trace = fig.Traces.Single();
        trace["type"] = "bar";
        trace.Remove("mode");
        return new Figure([trace], fig.Layout);
    }

    /// <summary>A histogram of the values; plotly.js chooses the bins unless <paramref name="nBins"/> is given.</summary>
    /// <exception cref="ArgumentException">values is empty or has a NaN/Inf.</exception>
    /// <exception cref="ArgumentOutOfRangeException">nBins &lt; 1.</exception>
    public static Figure Histogram<T>(IEnumerable<T> values, int? nBins = null, string? name = null) where T : INumberBase<T>
    {
        var xs = values.Select(v => double.CreateChecked(v)).ToArray();
        if (xs.Length == 0) throw new ArgumentException("values must not be empty.", nameof(values));
        Guard.AllFinite(xs, nameof(values));
        var trace = new JsonObject { ["type"] = "histogram", ["x"] = Numbers(xs) };
        if (name is not null) trace["name"] = name;
        if (nBins is not null) trace["nbinsx"] = Guard.Positive(nBins.Value, nameof(nBins));
        return new Figure([trace]);
    }

    /// <summary>A heatmap of z[row, col]; rows are drawn bottom-up unless <paramref name="reverseY"/> (matrix style).</summary>
    /// <param name="z">Values, shape [rows, cols]; non-finite entries (e.g. a −∞ causal mask) are drawn as gaps.</param>
    /// <param name="x">Column labels (length cols), or null for 0 … cols − 1.</param>
    /// <param name="y">Row labels (length rows), or null for 0 … rows − 1.</param>
    /// <param name="colorScale">A plotly.js colour scale name, e.g. "RdBu", "Viridis" (default).</param>
    /// <param name="zMid">Value at the centre of a diverging colour scale (e.g. 0), or null.</param>
    /// <param name="reverseY">Draw row 0 at the top, like a printed matrix.</param>
    /// <exception cref="ArgumentException">z is empty, or labels do not match its shape.</exception>
    public static Figure Heatmap(double[,] z, IEnumerable<object>? x = null, IEnumerable<object>? y = null,
        string colorScale = "Viridis", double? zMid = null, bool reverseY = false)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException("z must not be empty.", nameof(z));
        var zs = new JsonArray();
        for (int r = 0; r < rows; r++)
        {
            var row = new double[cols];
            for (int c = 0; c < cols; c++) row[c] = z[r, c];
            zs.Add(Numbers(row));
        }
        var trace = new JsonObject { ["type"] = "heatmap", ["z"] = zs, ["colorscale"] = colorScale };
        if (x is not null) trace["x"] = Labels(x, cols, nameof(x));
        if (y is not null) trace["y"] = Labels(y, rows, nameof(y));
        if (zMid is not null) trace["zmid"] = Guard.Finite(zMid.Value, nameof(zMid));
        var fig = new Figure([trace]);
        return reverseY ? fig.WithLayout("yaxis.autorange", "reversed") : fig;
    }

    /// <inheritdoc cref="Heatmap(double[,], IEnumerable{object}?, IEnumerable{object}?, string, double?, bool)"/>
    public static Figure Heatmap(float[,] z, IEnumerable<object>? x = null, IEnumerable<object>? y = null,
        string colorScale = "Viridis", double? zMid = null, bool reverseY = false)
    {
        var d = new double[z.GetLength(0), z.GetLength(1)];
        for (int r = 0; r < d.GetLength(0); r++)
            for (int c = 0; c < d.GetLength(1); c++) d[r, c] = z[r, c];
        return Heatmap(d, x, y, colorScale, zMid, reverseY);
    }

    /// <summary>Overlays the traces of several figures on one set of axes; the layout (title, axes) is the first figure's.</summary>
    /// <exception cref="ArgumentException">No figures given.</exception>
    public static Figure Combine(params Figure[] figures) => Combine((IEnumerable<Figure>)figures);

    /// <inheritdoc cref="Combine(Figure[])"/>
    public static Figure Combine(IEnumerable<Figure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var list = figures.ToList();
        if (list.Count == 0) throw new ArgumentException("figures must not be empty.", nameof(figures));
        return new Figure(list.SelectMany(f => f.Traces), list[0].Layout);
    }

    /// <summary>
    /// One scatter series whose markers are labelled: each point carries its label, e.g. (model name, parameters, layers).
    /// </summary>
    /// <exception cref="ArgumentException">points is empty.</exception>
    public static Figure LabelledScatter<TX, TY>(IEnumerable<(string Label, TX X, TY Y)> points, string? name = null)
        where TY : INumberBase<TY>
    {
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToList();
        if (list.Count == 0) throw new ArgumentException("points must not be empty.", nameof(points));
        return Scatter(list.Select(p => p.X), list.Select(p => p.Y), name, list.Select(p => p.Label));
    }

    /// <summary>
    /// Lays figures out in a grid of independent subplots, row by row; each panel keeps its axis titles and scales,
    /// and its title is drawn above it. Legends are merged into one: traces with the same name share one colour and
    /// one legend entry across panels (unless they set their own colour); unnamed traces have no legend entry.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">rows or cols &lt; 1.</exception>
    /// <exception cref="ArgumentException">No panels, or more panels than rows × cols.</exception>
    public static Figure Grid(int rows, int cols, params Figure[] panels)
    {
        Guard.Positive(rows);
        Guard.Positive(cols);
        if (panels.Length == 0) throw new ArgumentException("panels must not be empty.", nameof(panels));
        if (panels.Length > rows * cols)
            throw new ArgumentException($"panels must fit in the grid: {panels.Length} panels > {rows} × {cols} cells.", nameof(panels));
        var layout = new JsonObject
        {
            ["grid"] = new JsonObject { ["rows"] = rows, ["columns"] = cols, ["pattern"] = "independent", ["ygap"] = 0.35 },
            ["height"] = Math.Max(Figure.DefaultHeight, 320 * rows),
        };
        var annotations = new JsonArray();
        var shapes = new JsonArray();
        var traces = new List<JsonObject>();
        var colourByName = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < panels.Length; k++)
        {
            string suffix = k == 0 ? "" : (k + 1).ToString(CultureInfo.InvariantCulture);
            foreach (var t in panels[k].Traces)
            {
                var copy = (JsonObject)t.DeepClone();
                if (copy["type"]?.GetValue<string>() == "heatmap") copy["showscale"] = false;
                copy["xaxis"] = "x" + suffix;
                copy["yaxis"] = "y" + suffix;
                ShareLegendByName(copy, colourByName);
                traces.Add(copy);
            }
            foreach (var axis in new[] { "xaxis", "yaxis" })
                if (panels[k].Layout[axis] is JsonObject settings)
                    layout[axis + suffix] = settings.DeepClone();
            foreach (var key in new[] { "shapes", "annotations" })
                foreach (var item in (panels[k].Layout[key] as JsonArray ?? []).OfType<JsonObject>())
                    (key == "shapes" ? shapes : annotations).Add(MoveIntoPanel((JsonObject)item.DeepClone(), suffix));
            if (panels[k].Title is { } title)
                annotations.Add(new JsonObject
                {
                    ["text"] = "<b>" + System.Net.WebUtility.HtmlEncode(title) + "</b>",
                    ["xref"] = $"x{suffix} domain", ["yref"] = $"y{suffix} domain",
                    ["x"] = 0.5, ["y"] = 1.0, ["xanchor"] = "center", ["yanchor"] = "bottom", ["showarrow"] = false,
                });
        }
        if (annotations.Count > 0) layout["annotations"] = annotations;
        if (shapes.Count > 0) layout["shapes"] = shapes;
        return new Figure(traces, layout);
    }

    // A panel's shapes and annotations refer to its own axes ("x", "y") or to the whole plot ("paper"); in the grid
    // they must refer to the panel's axes ("x2", "y2 domain").
    private static JsonObject MoveIntoPanel(JsonObject item, string suffix)
    {
        foreach (var (key, letter) in new[] { ("xref", "x"), ("yref", "y") })
        {
            var reference = item[key]?.GetValue<string>() ?? letter;
            item[key] = reference switch
            {
                "paper" => $"{letter}{suffix} domain",
                _ when reference == letter => letter + suffix,
                _ when reference == letter + " domain" => $"{letter}{suffix} domain",
                _ => reference,
            };
        }
        return item;
    }

    // plotly.js's default colour cycle ("D3 category10"), so shared colours look like plotly's own.
    private static readonly string[] DefaultColours =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static void ShareLegendByName(JsonObject trace, Dictionary<string, string> colourByName)
    {
        if (trace["name"]?.GetValue<string>() is not { } name)
        {
            trace["showlegend"] = false;
            return;
        }
        bool first = !colourByName.ContainsKey(name);
        if (first) colourByName[name] = DefaultColours[colourByName.Count % DefaultColours.Length];
        trace["legendgroup"] = name;
        if (trace["showlegend"] is null) trace["showlegend"] = first;
        if (trace["type"]?.GetValue<string>() is "heatmap") return;
        var marker = trace["marker"] as JsonObject ?? new JsonObject();
        if (marker["color"] is not null) return;
        marker["color"] = colourByName[name];
        trace["marker"] = marker;
        if (trace["mode"]?.GetValue<string>() is { } mode && mode.Contains("lines"))
        {
            var line = trace["line"] as JsonObject ?? new JsonObject();
            line["color"] ??= colourByName[name];
            trace["line"] = line;
        }
    }

    private static Figure XY<TX, TY>(string mode, IEnumerable<TX> x, IEnumerable<TY> y, string? name) where TY : INumberBase<TY>
    {
        var xs = x.ToArray();
        var ys = y.Select(v => double.CreateChecked(v)).ToArray();
        if (xs.Length != ys.Length)
            throw new ArgumentException($"x and y must have the same length; got {xs.Length} and {ys.Length}.", nameof(y));
        if (xs.Length == 0) throw new ArgumentException("x and y must not be empty.", nameof(x));
        var trace = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = mode,
            ["x"] = XValues(xs),
            ["y"] = Numbers(ys),
        };
        if (name is not null) trace["name"] = name;
        return new Figure([trace]);
    }

    private static JsonArray XValues<TX>(TX[] xs)
    {
        if (typeof(TX) == typeof(double) || typeof(TX) == typeof(float))
            return Numbers(xs.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray());
        return new JsonArray([.. xs.Select(v => v switch
        {
            null => null,
            DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            DateTime d => JsonValue.Create(d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
            _ => JsonSerializer.SerializeToNode(v, typeof(TX), Figure.JsonOptions),
        })]);
    }

    private static JsonArray Labels(IEnumerable<object> labels, int expected, string name)
    {
        var arr = labels.ToArray();
        if (arr.Length != expected)
            throw new ArgumentException($"{name} must have {expected} labels (one per {(name == "x" ? "column" : "row")}); got {arr.Length}.", name);
        return new JsonArray([.. arr.Select(v => JsonSerializer.SerializeToNode(v, v.GetType(), Figure.JsonOptions))]);
    }

    private static JsonArray Numbers(IReadOnlyList<double> values)
    {
        var arr = new JsonArray();
        foreach (var v in values) arr.Add(double.IsFinite(v) ? JsonValue.Create(v) : null);
        return arr;
    }
}
