using LlmNotebooks.Plotting;

namespace LlmNotebooks.Tests.Plotting;

public class ShowTests
{
    [Theory]
    [InlineData(1.8e-7, "1.8e-07")]
    [InlineData(1.1, "1.1e+00")]
    [InlineData(0.0, "0.0e+00")]
    [InlineData(-2.44e-12, "-2.4e-12")]
    [InlineData(9.96, "1.0e+01")]     // the mantissa rounds up into the next power of ten
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "∞")]
    [InlineData(double.NegativeInfinity, "-∞")]
    public void Sci_writes_one_decimal_and_a_signed_two_digit_exponent(double value, string expected)
    {
        Assert.Equal(expected, Show.Sci(value));
        if (double.IsFinite(value)) Assert.Equal(expected, value.ToString(Show.SciFormat, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Sci_takes_the_mantissa_digits_and_rejects_a_bad_count()
    {
        Assert.Equal("2.50e-12", Show.Sci(2.5e-12, digits: 2));
        Assert.Equal("3e+23", Show.Sci(3.14e23, digits: 0));
        Assert.Equal("digits", Assert.Throws<ArgumentOutOfRangeException>(() => Show.Sci(1, digits: -1)).ParamName);
        Assert.Equal("digits", Assert.Throws<ArgumentOutOfRangeException>(() => Show.Sci(1, digits: 16)).ParamName);
    }

    [Fact]
    public void Sci_ignores_the_current_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma
            Assert.Equal("1.8e-07", Show.Sci(1.8e-7));
            Assert.Equal("[0.5, 1.25]", Show.List([0.5, 1.25]));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData(" the", "␣the")]
    [InlineData("\n\n", "⏎⏎")]
    [InlineData("\tx\r\n", "⇥x␍⏎")]
    [InlineData("国", "国")]
    [InlineData("", "")]
    public void Token_makes_whitespace_visible(string token, string expected) => Assert.Equal(expected, Show.Token(token));

    [Fact]
    public void OneLine_marks_each_line_break_once()
    {
        Assert.Equal("We must ⏎ go on ⏎ ", Show.OneLine("We must\ngo on\r\n"));
        Assert.Equal("no breaks", Show.OneLine("no breaks"));
    }

    [Fact]
    public void List_brackets_the_items()
    {
        Assert.Equal("[1, 3, 0]", Show.List(new[] { 1, 3, 0 }));
        Assert.Equal("[]", Show.List(Array.Empty<int>()));
        Assert.Equal("[a, ]", Show.List(new[] { "a", null }));
    }

    [Fact]
    public void Message_drops_the_parameter_suffix_and_the_actual_value_line()
    {
        var outOfRange = new ArgumentOutOfRangeException("topP", 0.0, "topP must lie in (0, 1]; got 0.");
        Assert.Contains("(Parameter 'topP')", outOfRange.Message);                     // what .NET shows
        Assert.Contains("Actual value was 0", outOfRange.Message);
        Assert.Equal("topP must lie in (0, 1]; got 0.", Show.Message(outOfRange));
        Assert.Equal("bad shape.", Show.Message(new ArgumentException("bad shape.", "x")));
        Assert.Equal("no name.", Show.Message(new ArgumentException("no name.")));
        Assert.Equal("not an argument (Parameter 'x')", Show.Message(new InvalidOperationException("not an argument (Parameter 'x')")));
    }

    [Fact]
    public void Message_of_a_library_exception_is_the_library_text()
    {
        // What notebook 04 prints for a rejected temperature.
        var e = Assert.ThrowsAny<ArgumentException>(() => new LlmNotebooks.Sampling.TemperatureLogitsWarper(0));
        Assert.DoesNotContain("Parameter", Show.Message(e));
        Assert.StartsWith(Show.Message(e), e.Message);
    }
}
