using LlmNotebooks.Plotting;

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
}
