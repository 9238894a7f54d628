using LlmNotebooks.Gpt;

namespace LlmNotebooks.Tests.Gpt;

public class TokenWindowsTests
{
    [Fact]
    public void Documents_are_preceded_by_endoftext()
    {
        var t = TinyGptTokenizer.Build([" the cat the"], 258);
        var stream = TokenWindows.Concatenate([" the", " the the"], t);
        Assert.Equal([0, 257, 0, 257, 257], stream);
    }

    [Fact]
    public void Batches_are_next_token_windows_and_reproducible_per_seed()
    {
        var stream = Enumerable.Range(100, 50).ToArray();
        var x = new int[3 * 8];
        var y = new int[3 * 8];
        TokenWindows.SampleBatch(stream, 3, 8, new Random(9), x, y);
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 8; t++)
            {
                Assert.Equal(x[b * 8 + t] + 1, y[b * 8 + t]);              // target is the next token
                if (t > 0) Assert.Equal(x[b * 8 + t - 1] + 1, x[b * 8 + t]); // contiguous window
            }
        var x2 = new int[24];
        var y2 = new int[24];
        TokenWindows.SampleBatch(stream, 3, 8, new Random(9), x2, y2);
        Assert.Equal(x, x2);
        Assert.True(x.Max() <= 148 && y.Max() <= 149);
    }

    [Fact]
    public void Evaluation_windows_tile_the_stream_without_overlap()
    {
        var stream = Enumerable.Range(0, 21).ToArray();
        Assert.Equal(4, TokenWindows.EvaluationWindowCount(21, 5)); // ⌊20 / 5⌋
        Assert.Equal(0, TokenWindows.EvaluationWindowCount(5, 5));
        var x = new int[5];
        var y = new int[5];
        TokenWindows.EvaluationWindow(stream, 5, 3, x, y);
        Assert.Equal([15, 16, 17, 18, 19], x);
        Assert.Equal([16, 17, 18, 19, 20], y);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenWindows.EvaluationWindow(stream, 5, 4, x, y));
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        var x = new int[4];
        Assert.Throws<ArgumentException>(() => TokenWindows.SampleBatch(new int[4], 1, 4, new Random(1), x, x));
        Assert.Throws<ArgumentException>(() => TokenWindows.SampleBatch(new int[10], 2, 4, new Random(1), x, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenWindows.SampleBatch(new int[10], 0, 4, new Random(1), x, x));
    }
}
