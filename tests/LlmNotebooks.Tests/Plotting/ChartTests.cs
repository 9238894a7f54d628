using System.Text.Json;
using LlmNotebooks.Plotting;

namespace LlmNotebooks.Tests.Plotting;

public class ChartTests
{
    private static JsonElement Json(Figure f) => JsonDocument.Parse(f.ToJson()).RootElement;

    [Fact]
    public void Line_writes_a_plotly_scatter_trace_in_lines_mode()
    {
        var f = Chart.Line(new[] { 1, 2, 3 }, new[] { 1.0, 4, 9 }, "squares").WithTitle("t").WithXAxis("k").WithYAxis("k²", log: true);
        var json = Json(f);
        var trace = json.GetProperty("data")[0];
        Assert.Equal("scatter", trace.GetProperty("type").GetString());
        Assert.Equal("lines", trace.GetProperty("mode").GetString());
        Assert.Equal("squares", trace.GetProperty("name").GetString());
        Assert.Equal([1.0, 4, 9], trace.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        var layout = json.GetProperty("layout");
        Assert.Equal("t", layout.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("k", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
    }

    [Fact]
    public void Non_finite_values_become_gaps_and_dates_become_iso_strings()
    {
        var f = Chart.Line(new[] { new DateOnly(2018, 6, 11), new DateOnly(2019, 2, 14) }, new[] { double.NaN, double.NegativeInfinity });
        var trace = Json(f).GetProperty("data")[0];
        Assert.All(trace.GetProperty("y").EnumerateArray(), e => Assert.Equal(JsonValueKind.Null, e.ValueKind));
        Assert.Equal("2018-06-11", trace.GetProperty("x")[0].GetString());
    }

    [Fact]
    public void Heatmap_keeps_rows_and_masks_minus_infinity()
    {
        var z = new float[,] { { 0, float.NegativeInfinity }, { -0.5f, 0 } };
        var trace = Json(Chart.Heatmap(z, x: ["k0", "k1"], y: ["q0", "q1"], colorScale: "RdBu", zMid: 0)).GetProperty("data")[0];
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, trace.GetProperty("z")[0][1].ValueKind);
        Assert.Equal(-0.5, trace.GetProperty("z")[1][0].GetDouble());
        Assert.Equal(0, trace.GetProperty("zmid").GetDouble());
        Assert.Equal("k1", trace.GetProperty("x")[1].GetString());
    }

    [Fact]
    public void Grid_assigns_each_panel_its_own_axes_and_title()
    {
        var f = Chart.Grid(1, 2,
            Chart.Line(new[] { 1.0, 2 }).WithTitle("left").WithYAxis("a", log: true),
            Chart.Bar(["x", "y"], new[] { 3, 4 }).WithTitle("right"));
        var json = Json(f);
        var data = json.GetProperty("data");
        Assert.Equal(("x", "y"), (data[0].GetProperty("xaxis").GetString(), data[0].GetProperty("yaxis").GetString()));
        Assert.Equal(("x2", "y2"), (data[1].GetProperty("xaxis").GetString(), data[1].GetProperty("yaxis").GetString()));
        var layout = json.GetProperty("layout");
        Assert.Equal(2, layout.GetProperty("grid").GetProperty("columns").GetInt32());
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
        var titles = layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()).ToList();
        Assert.Equal(["<b>left</b>", "<b>right</b>"], titles);
        Assert.Equal("x2 domain", layout.GetProperty("annotations")[1].GetProperty("xref").GetString());
    }

    [Fact]
    public void Grid_gives_a_series_the_same_colour_and_one_legend_entry_in_every_panel()
    {
        Figure Panel(string title) => Chart.Combine(Chart.Line(new[] { 1.0, 2 }, "GPT-3"), Chart.Line(new[] { 2.0, 1 }, "GPT-2"),
            Chart.Line(new[] { 0.0, 0 })).WithTitle(title);
        var data = Json(Chart.Grid(1, 2, Panel("a"), Panel("b"))).GetProperty("data");
        string Colour(int i) => data[i].GetProperty("line").GetProperty("color").GetString()!;
        Assert.Equal(Colour(0), Colour(3));
        Assert.Equal(Colour(1), Colour(4));
        Assert.NotEqual(Colour(0), Colour(1));
        Assert.Equal([true, true, false, false, false, false], data.EnumerateArray().Select(t => t.GetProperty("showlegend").GetBoolean()));
        Assert.Equal("GPT-3", data[3].GetProperty("legendgroup").GetString());
    }

    [Fact]
    public void Vertical_lines_mark_a_date_with_a_label()
    {
        var layout = Json(Chart.Line(new[] { 1.0, 2 }).WithVerticalLine(new DateOnly(2023, 3, 14), "GPT-4")).GetProperty("layout");
        var shape = Assert.Single(layout.GetProperty("shapes").EnumerateArray());
        Assert.Equal("2023-03-14", shape.GetProperty("x0").GetString());
        Assert.Equal("paper", shape.GetProperty("yref").GetString());
        Assert.Equal("GPT-4", Assert.Single(layout.GetProperty("annotations").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public void Vertical_lines_are_placed_by_log10_on_a_log_axis_whenever_the_axis_is_made_logarithmic()
    {
        // plotly.js reference: on a log axis, shape and annotation x positions are given as log10 of the value.
        var before = Chart.Line(new[] { 1.0, 1000 }, new[] { 1.0, 2 }).WithVerticalLine(50, "k = 50").WithXAxis("k", log: true);
        var after = Chart.Line(new[] { 1.0, 1000 }, new[] { 1.0, 2 }).WithXAxis("k", log: true).WithVerticalLine(50, "k = 50");
        foreach (var f in new[] { before, after })
        {
            var layout = Json(f).GetProperty("layout");
            Assert.Equal(Math.Log10(50), layout.GetProperty("shapes")[0].GetProperty("x0").GetDouble(), 1e-12);
            Assert.Equal(Math.Log10(50), layout.GetProperty("annotations")[0].GetProperty("x").GetDouble(), 1e-12);
        }
        var linear = Json(Chart.Line(new[] { 1.0, 1000 }).WithVerticalLine(50)).GetProperty("layout");
        Assert.Equal(50, linear.GetProperty("shapes")[0].GetProperty("x0").GetDouble());
    }

    [Fact]
    public void Grid_keeps_each_panels_lines_in_that_panel()
    {
        var f = Chart.Grid(1, 2, Chart.Line(new[] { 1.0, 2 }).WithVerticalLine(1, "a"),
            Chart.Line(new[] { 1.0, 100 }).WithXAxis("k", log: true).WithVerticalLine(10, "b"));
        var layout = Json(f).GetProperty("layout");
        var shapes = layout.GetProperty("shapes");
        Assert.Equal(("x", "y domain"), (shapes[0].GetProperty("xref").GetString(), shapes[0].GetProperty("yref").GetString()));
        Assert.Equal(("x2", "y2 domain"), (shapes[1].GetProperty("xref").GetString(), shapes[1].GetProperty("yref").GetString()));
        Assert.Equal(1.0, shapes[1].GetProperty("x0").GetDouble(), 1e-12); // log10(10) on the second panel's log axis
        Assert.Contains(layout.GetProperty("annotations").EnumerateArray(), a => a.GetProperty("text").GetString() == "b"
            && a.GetProperty("xref").GetString() == "x2");
    }

    [Fact]
    public void Combine_overlays_traces_and_figures_are_immutable()
    {
        var a = Chart.Line(new[] { 1.0, 2 }, "a").WithTitle("both");
        var b = Chart.Scatter(new[] { 1.0, 2 }, new[] { 3.0, 4 }, "b", labels: ["p", "q"]);
        var both = Chart.Combine(a, b);
        Assert.Equal(2, both.TraceCount);
        Assert.Equal("both", both.Title);
        var styled = both.WithTraceStyle("line.dash", "dot");
        Assert.DoesNotContain("dash", both.ToJson());
        Assert.Contains("\"dash\":\"dot\"", styled.ToJson());
        Assert.Equal("markers+text", Json(b).GetProperty("data")[0].GetProperty("mode").GetString());
    }

    [Fact]
    public void Combine_takes_any_sequence_of_figures_but_not_an_empty_one()
    {
        var curves = new List<Figure>();
        foreach (double t in new[] { 0.5, 1.0, 2.0 }) curves.Add(Chart.Line(new[] { t, 2 * t }, $"T = {t}"));
        var f = Chart.Combine(curves.Where(c => c.TraceCount == 1));
        Assert.Equal(["T = 0.5", "T = 1", "T = 2"], Json(f).GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(f.ToJson(), Chart.Combine(curves[0], curves[1], curves[2]).ToJson());
        Assert.Equal("figures", Assert.Throws<ArgumentException>(() => Chart.Combine(new List<Figure>())).ParamName);
    }

    [Fact]
    public void LabelledScatter_keeps_each_label_with_its_point()
    {
        var f = Chart.LabelledScatter([("Small", 1.25e8, 12), ("XL", 1.3e9, 24)], "GPT-3");
        var trace = Json(f).GetProperty("data")[0];
        Assert.Equal("markers+text", trace.GetProperty("mode").GetString());
        Assert.Equal("GPT-3", trace.GetProperty("name").GetString());
        Assert.Equal(["Small", "XL"], trace.GetProperty("text").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1.25e8, 1.3e9], trace.GetProperty("x").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([12.0, 24], trace.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        var dated = Chart.LabelledScatter([("GPT-3", new DateOnly(2020, 5, 28), 1.75e11)]);
        Assert.Equal("2020-05-28", Json(dated).GetProperty("data")[0].GetProperty("x")[0].GetString());
        Assert.Equal("points", Assert.Throws<ArgumentException>(
            () => Chart.LabelledScatter(Array.Empty<(string, double, double)>())).ParamName);
    }

    [Fact]
    public void Html_is_deterministic_and_cannot_close_its_script_early()
    {
        var f = Chart.Bar(["</script><b>x"], new[] { 1.0 }).WithTitle("</script>");
        var html = f.ToHtml();
        Assert.Equal(html, Chart.Bar(["</script><b>x"], new[] { 1.0 }).WithTitle("</script>").ToHtml());
        Assert.Equal(1, html.Split("</script>").Length - 1); // only the element's own end tag
        Assert.Contains(Figure.PlotlyJsCdnUrl, html);
        Assert.Contains("class=\"llmnb-figure\"", html);
        Assert.NotEqual(html, Chart.Bar(["other"], new[] { 1.0 }).ToHtml());
    }

    [Fact]
    public void The_convention_formatter_writes_the_html_of_its_type_only()
    {
        var source = new HtmlFormatterSource<Figure>();
        var formatter = Assert.IsType<HtmlFormatterSource<Figure>.HtmlFormatter>(Assert.Single(source.CreateTypeFormatters()));
        var figure = Chart.Line(new[] { 1.0 });
        var writer = new StringWriter();
        Assert.True(formatter.Format(figure, writer));
        Assert.Equal(figure.ToHtml(), writer.ToString());
        Assert.False(formatter.Format("not a figure", new StringWriter()));
        Assert.Equal("text/html", formatter.MimeType);
        var attribute = Assert.Single(typeof(Figure).GetCustomAttributes(false).OfType<TypeFormatterSourceAttribute>());
        Assert.Equal(typeof(HtmlFormatterSource<Figure>), attribute.FormatterSourceType);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Chart.Line(new[] { 1, 2 }, new[] { 1.0 })).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Chart.Line(Array.Empty<int>(), Array.Empty<double>())).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Chart.Heatmap(new double[2, 3], x: ["a"])).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Chart.Histogram(new[] { 1.0, double.NaN })).ParamName);
        Assert.Equal("nBins", Assert.Throws<ArgumentOutOfRangeException>(() => Chart.Histogram(new[] { 1.0 }, nBins: 0)).ParamName);
        Assert.Equal("panels", Assert.Throws<ArgumentException>(() => Chart.Grid(1, 1, Chart.Line(new[] { 1.0 }), Chart.Line(new[] { 2.0 }))).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => Chart.Grid(0, 1, Chart.Line(new[] { 1.0 }))).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => Chart.Line(new[] { 1.0 }).WithSize(10)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Chart.Line(new[] { 1.0 }).WithLayout("a..b", 1)).ParamName);
    }
}
