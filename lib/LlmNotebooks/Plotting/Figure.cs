using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmNotebooks.Plotting;

/// <summary>
/// A plotly.js figure (traces + layout, the documented JSON schema: https://plotly.com/javascript/reference/) built
/// without Plotly.NET, so it needs no FSharp.Core and displays in VS Code Polyglot Notebooks, Jupyter's .NET kernel
/// and the offline handouts alike. Display it as a cell's last value or with <c>display(figure)</c>: .NET Interactive
/// finds <see cref="HtmlFormatterSource{T}"/> by convention and renders <see cref="ToHtml"/>.
/// Figures are values: every <c>With…</c> method returns a new figure.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource<Figure>), PreferredMimeTypes = ["text/html"])]
public sealed class Figure : IHtmlDisplay
{
    /// <summary>The plotly.js version the HTML loads in an editor and the handouts inline (what Plotly.NET 6.0.0 embeds).</summary>
    public const string PlotlyJsVersion = "2.28.0";

    /// <summary>Where an editor without plotly.js already loaded fetches it.</summary>
    public const string PlotlyJsCdnUrl = "https://cdn.plot.ly/plotly-" + PlotlyJsVersion + ".min.js";

    private readonly JsonArray _traces;
    private readonly JsonObject _layout;

    internal Figure(IEnumerable<JsonObject> traces, JsonObject? layout = null)
    {
        _traces = new JsonArray([.. traces.Select(t => (JsonNode)t.DeepClone())]);
        _layout = (JsonObject?)layout?.DeepClone() ?? new JsonObject();
    }

    /// <summary>Number of traces (lines, bar series, heatmaps, …) in the figure.</summary>
    public int TraceCount => _traces.Count;

    /// <summary>The figure's title, or null.</summary>
    public string? Title => (string?)_layout["title"]?["text"];

    internal IEnumerable<JsonObject> Traces => _traces.Select(t => (JsonObject)t!);

    internal JsonObject Layout => _layout;

    /// <summary>Sets the title drawn above the plot.</summary>
    public Figure WithTitle(string title) => WithLayout("title.text", title);

    /// <summary>Sets the x-axis title and, optionally, a logarithmic scale.</summary>
    public Figure WithXAxis(string title, bool log = false) => WithAxis("xaxis", title, log);

    /// <summary>Sets the y-axis title and, optionally, a logarithmic scale.</summary>
    public Figure WithYAxis(string title, bool log = false) => WithAxis("yaxis", title, log);

    /// <summary>Sets the plot height (and width; null = fill the page) in CSS pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">height or width &lt; 100 px.</exception>
    public Figure WithSize(int height, int? width = null)
    {
        if (height < 100) throw new ArgumentOutOfRangeException(nameof(height), height, $"height must be ≥ 100 px; got {height}.");
        if (width is < 100) throw new ArgumentOutOfRangeException(nameof(width), width, $"width must be ≥ 100 px or null; got {width}.");
        var f = WithLayout("height", height);
        return width is null ? f : f.WithLayout("width", width.Value);
    }

    /// <summary>
    /// Sets any layout attribute by its dotted plotly.js path, e.g. <c>("yaxis.range", new[] { 0, 1 })</c> or
    /// <c>("legend.orientation", "h")</c>. The value is serialised with System.Text.Json.
    /// </summary>
    /// <exception cref="ArgumentException">path is empty or has an empty segment.</exception>
    public Figure WithLayout(string path, object? value)
    {
        var copy = new Figure(Traces, _layout);
        SetPath(copy._layout, path, value);
        return copy;
    }

    /// <summary>
    /// Sets an attribute on every trace by its dotted plotly.js path, e.g. <c>("line.dash", "dot")</c>,
    /// <c>("marker.color", "#d62728")</c> or <c>("opacity", 0.6)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">path is empty or has an empty segment.</exception>
    public Figure WithTraceStyle(string path, object? value)
    {
        var copy = new Figure(Traces, _layout);
        foreach (var t in copy.Traces) SetPath(t, path, value);
        return copy;
    }

    /// <summary>
    /// Draws a dotted vertical line across the plot at <paramref name="x"/> (a number, a date or a category), with an
    /// optional label written along it — e.g. to mark an event that has no y value or a cut-off. On a logarithmic x axis
    /// the line is still placed at <paramref name="x"/> (plotly.js wants log10(x) there; <see cref="ToJson"/> converts),
    /// and in <see cref="Chart.Grid"/> it stays in its panel.
    /// </summary>
    /// <param name="x">Position on the x axis; DateOnly/DateTime are written as ISO dates.</param>
    /// <param name="label">Text drawn vertically beside the line, or null.</param>
    public Figure WithVerticalLine(object x, string? label = null)
    {
        var position = x switch
        {
            DateOnly d => (object)d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            _ => x,
        };
        var copy = new Figure(Traces, _layout);
        Append(copy._layout, "shapes", new JsonObject
        {
            ["name"] = VerticalLineName,
            ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = Node(position), ["x1"] = Node(position),
            ["y0"] = 0, ["y1"] = 1, ["line"] = new JsonObject { ["dash"] = "dot", ["color"] = "gray" },
        });
        if (label is not null)
            Append(copy._layout, "annotations", new JsonObject
            {
                ["name"] = VerticalLineName,
                ["x"] = Node(position), ["y"] = 0.5, ["xref"] = "x", ["yref"] = "paper", ["text"] = label,
                ["textangle"] = -90, ["showarrow"] = false, ["xanchor"] = "right",
            });
        return copy;

        static JsonNode? Node(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), JsonOptions);
        static void Append(JsonObject layout, string key, JsonObject item)
        {
            if (layout[key] is not JsonArray list) layout[key] = list = new JsonArray();
            list.Add(item);
        }
    }

    /// <summary>The figure as plotly.js JSON: <c>{"data": [...], "layout": {...}}</c>. Non-finite numbers are written as null (a gap).</summary>
    public string ToJson()
    {
        var layout = (JsonObject)_layout.DeepClone();
        PlaceVerticalLinesOnLogAxes(layout);
        var root = new JsonObject { ["data"] = _traces.DeepClone(), ["layout"] = layout };
        return root.ToJsonString(JsonOptions);
    }

    internal const string VerticalLineName = "llmnb-vertical-line";

    // plotly.js positions shapes and annotations on a log axis by log10 of the value (layout reference, "shapes.x0").
    // Vertical lines keep the data value until here, so the axis may be made logarithmic before or after they are added.
    private static void PlaceVerticalLinesOnLogAxes(JsonObject layout)
    {
        foreach (var key in new[] { "shapes", "annotations" })
        {
            if (layout[key] is not JsonArray items) continue;
            foreach (var item in items.OfType<JsonObject>())
            {
                if ((string?)item["name"] != VerticalLineName || item["xref"]?.GetValue<string>() is not { } xref) continue;
                var axis = "xaxis" + xref[1..];
                if ((string?)layout[axis]?["type"] != "log") continue;
                foreach (var coordinate in key == "shapes" ? new[] { "x0", "x1" } : ["x"])
                    if (item[coordinate] is JsonValue v && v.TryGetValue(out double x) && x > 0)
                        item[coordinate] = Math.Log10(x);
            }
        }
    }

    /// <summary>
    /// A self-contained HTML fragment: a div and a script that draws the figure with plotly.js. If the page already
    /// has plotly.js (an offline handout inlines it once in its head) it is used; otherwise the script loads
    /// <see cref="PlotlyJsCdnUrl"/> through require.js when the host has it (classic Jupyter) or a script tag
    /// (VS Code, JupyterLab). The div id is derived from the figure's content, so output is deterministic; equal figures on
    /// one page share the id, and each script draws into the div just before it (the newest one it has not claimed).
    /// </summary>
    public string ToHtml()
    {
        string json = ToJson();
        string id = "llmnb-figure-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
        int height = (int?)_layout["height"] ?? DefaultHeight;
        // "</" must not appear inside the script element: escape the slash of any "</script" in titles.
        string safeJson = json.Replace("</", "<\\/", StringComparison.Ordinal);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<div class=\"llmnb-figure\" id=\"{id}\" style=\"width:100%;height:{height}px;\"></div>\n");
        html.Append("<script type=\"text/javascript\">\n(function () {\n");
        html.Append("  var figure = ").Append(safeJson).Append(";\n");
        html.Append(CultureInfo.InvariantCulture, $"  var id = \"{id}\", src = \"{PlotlyJsCdnUrl}\";\n");
        html.Append(LoaderScript);
        html.Append("})();\n</script>\n");
        return html.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Figure \"{Title ?? "(untitled)"}\" with {TraceCount} trace(s): " +
        string.Join(", ", Traces.Select(t => $"{(string?)t["type"]} {(string?)t["name"]}".Trim()));

    internal const int DefaultHeight = 420;

    private const string LoaderScript = """
          // The id comes from the content, so two equal figures on one page share it: each script claims the newest
          // unclaimed div with its id (its own, just inserted) before anything asynchronous happens.
          var divs = document.querySelectorAll("div.llmnb-figure[id='" + id + "']:not([data-llmnb-claimed])");
          var el = divs.length > 0 ? divs[divs.length - 1] : null;
          if (el) { el.setAttribute("data-llmnb-claimed", ""); }
          function draw(Plotly) {
            if (!el) { return; }
            Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
          }
          if (typeof window.Plotly !== "undefined") { draw(window.Plotly); return; }
          if (typeof window.requirejs === "function" && typeof window.requirejs.config === "function") {
            window.requirejs.config({ context: "llmnb-plotly", paths: { plotly: src.replace(/\.js$/, "") } })(["plotly"], draw);
            return;
          }
          var tag = document.querySelector("script[data-llmnb-plotly]");
          if (!tag) {
            tag = document.createElement("script");
            tag.src = src;
            tag.setAttribute("data-llmnb-plotly", "");
            document.head.appendChild(tag);
          }
          tag.addEventListener("load", function () { draw(window.Plotly); });

        """;

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private Figure WithAxis(string axis, string title, bool log)
    {
        var f = WithLayout(axis + ".title.text", title);
        return log ? f.WithLayout(axis + ".type", "log") : f;
    }

    internal static void SetPath(JsonObject target, string path, object? value)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("path must be a dotted plotly.js attribute path such as \"yaxis.range\"; got an empty string.", nameof(path));
        var parts = path.Split('.');
        if (parts.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"path must not have empty segments; got \"{path}\".", nameof(path));
        var node = target;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }
            node = child;
        }
        node[parts[^1]] = value switch
        {
            null => null,
            JsonNode n => n.DeepClone(),
            _ => JsonSerializer.SerializeToNode(value, value.GetType(), JsonOptions),
        };
    }
}
