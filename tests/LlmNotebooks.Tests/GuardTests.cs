namespace LlmNotebooks.Tests;

public class GuardTests
{
    [Fact]
    public void Messages_name_the_parameter_and_the_range()
    {
        int dModel = 5;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.EvenPositive(dModel));
        Assert.Equal("dModel", e.ParamName);
        Assert.Contains("even", e.Message);
        Assert.Contains("5", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void PositiveFinite_rejects_NaN_Inf_and_non_positive(double temperature)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.PositiveFinite(temperature));
        Assert.Equal("temperature", e.ParamName);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1e-12, true)]
    [InlineData(1.0, true)]
    [InlineData(1.0000001, false)]
    [InlineData(double.NaN, false)]
    public void UnitIntervalOpenClosed_is_0_exclusive_1_inclusive(double topP, bool ok)
    {
        if (ok) Assert.Equal(topP, Guard.UnitIntervalOpenClosed(topP));
        else Assert.Throws<ArgumentOutOfRangeException>(() => Guard.UnitIntervalOpenClosed(topP));
    }

    [Fact]
    public void AllFinite_names_the_first_bad_index()
    {
        float[] logits = [1f, float.NaN, float.PositiveInfinity];
        var e = Assert.Throws<ArgumentException>(() => Guard.AllFinite(logits));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("logits[1]", e.Message);
    }
}
