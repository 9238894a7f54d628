using LlmNotebooks.Plotting;
using Microsoft.Data.Analysis;

namespace LlmNotebooks.Tests.Plotting;

public class TableTests
{
    private sealed record Row(string Model, long Parameters, double Share);

    [Fact]
    public void Columns_follow_property_order_and_numbers_are_formatted_and_right_aligned()
    {
        var t = Table.From([new Row("gpt2", 124_439_808, 0.123456789), new Row("<gpt2-xl>", 1_557_611_200, 1e-9)], "GPT-2");
        Assert.Equal(["Model", "Parameters", "Share"], t.Columns);
        Assert.Equal("124,439,808", t.Text(0, "Parameters"));
        Assert.Equal("0.123457", t.Text(0, "Share"));
        Assert.Equal("1E-09", t.Text(1, "Share"));
        var html = t.ToHtml();
        Assert.Contains("<caption>GPT-2</caption>", html);
        Assert.Contains("<td>&lt;gpt2-xl&gt;</td>", html);
        Assert.Contains("<td style=\"text-align:right\">1,557,611,200</td>", html);
        Assert.Equal("12.35 %", t.WithFormat("Share", "P2").Text(0, "Share")); // invariant culture puts a space before %
        Assert.Equal("0.123457", t.Text(0, "Share")); // WithFormat returned a new table
    }

    [Fact]
    public void Plain_text_aligns_columns()
    {
        var text = Table.From(["token", "p"], [["the", 0.5], ["a", 0.25]]).ToString().Split(Environment.NewLine);
        Assert.Equal("token  p", text[0].TrimEnd());
        Assert.Equal("the     0.5", text[1]); // "token" is 5 wide; "0.25" makes the number column 4 wide, right-aligned
        Assert.Equal("a      0.25", text[2]);
    }

    [Fact]
    public void Bad_shapes_and_unknown_columns_are_errors()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => Table.From(["a", "b"], [["only one"]])).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentException>(() => Table.From(["a", "a"], [])).ParamName);
        Assert.Throws<KeyNotFoundException>(() => Table.From(["a"], [[1]]).WithFormat("b", "0.0"));
    }

    [Fact]
    public void WithFormats_sets_one_format_on_several_columns()
    {
        var t = Table.From(["p", "q", "r"], [[0.123456, 0.5, 0.25]]).WithFormats("0.000", "p", "q");
        Assert.Equal(("0.123", "0.500", "0.25"), (t.Text(0, "p"), t.Text(0, "q"), t.Text(0, "r")));
        Assert.Equal("1.2e-07", Table.From(["e"], [[1.2345e-7]]).WithFormats(Show.SciFormat, "e").Text(0, "e"));
        Assert.Throws<KeyNotFoundException>(() => t.WithFormats("0.0", "p", "nope"));
        Assert.Equal("columns", Assert.Throws<ArgumentException>(() => t.WithFormats("0.0")).ParamName);
    }

    [Fact]
    public void A_data_frame_shows_its_typed_columns_without_an_index()
    {
        var frame = new DataFrame(
            new StringDataFrameColumn("model", ["GPT-3 Small", "GPT-3 XL"]),
            new Int64DataFrameColumn("N", [125_000_000L, 1_300_000_000L]),
            new DoubleDataFrameColumn("D", [3e11, 3e11]));
        frame["D / N"] = frame["D"] / frame["N"];          // a computed column: double
        var t = Table.FromDataFrame(frame.OrderByDescending("N"), "by size").WithFormat("D / N", "0.0");
        Assert.Equal(["model", "N", "D", "D / N"], t.Columns);
        Assert.Equal(("GPT-3 XL", "1,300,000,000", "230.8"), (t.Text(0, "model"), t.Text(0, "N"), t.Text(0, "D / N")));
        Assert.Equal(2400.0, t[1, "D / N"]);
        Assert.Contains("<td style=\"text-align:right\">1,300,000,000</td>", t.ToHtml());
        Assert.Equal("by size", t.Title);
    }

    [Fact]
    public void A_data_frame_null_is_an_empty_cell_and_an_empty_frame_is_an_error()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("x", [1.5, null]));
        Assert.Equal("", Table.FromDataFrame(frame).Text(1, "x"));
        Assert.Equal("frame", Assert.Throws<ArgumentException>(() => Table.FromDataFrame(new DataFrame())).ParamName);
    }
}
