using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;
using LlmNotebooks.Numerics;
using LlmNotebooks.Tests.Gpt;

namespace LlmNotebooks.Tests.GptSeries;

public class RepeatedTokensProbeTests
{
    [Fact]
    public void Losses_are_the_models_own_next_token_losses_on_a_repeated_span()
    {
        var model = GptModelTests.ShippedModel.Value;
        var r = RepeatedTokensProbe.Measure(model, spanLength: 16, trials: 1, seed: 7);
        // Rebuild the one sequence (same seed, same draws) and recompute every position from single-sequence logits.
        var random = new Random(7);
        var span = Enumerable.Range(0, 16).Select(_ => random.Next(model.Config.VocabSize)).ToArray();
        int[] ids = [.. span, .. span];
        var logits = model.Logits(ids);
        var row = new float[model.Config.VocabSize];
        for (int i = 0; i < ids.Length - 1; i++)
        {
            for (int v = 0; v < row.Length; v++) row[v] = logits[i, v];
            Assert.Equal(Softmax.NegativeLogLikelihood(row, ids[i + 1]), r.MeanLoss[i], 1e-4);
        }
        Assert.Equal(r.MeanLoss.Take(15).Average(), r.FirstCopyLoss, 1e-12);
        Assert.Equal(r.MeanLoss.Skip(16).Average(), r.SecondCopyLoss, 1e-12);
        Assert.Equal(Math.Log(4096), r.UniformLoss, 1e-12);
        Assert.Equal(r.FirstCopyLoss - r.SecondCopyLoss, r.CopyingGain, 1e-12);
    }

    [Fact]
    public void Same_seed_same_result_and_bad_arguments_are_named()
    {
        var model = GptModelTests.ShippedModel.Value;
        var a = RepeatedTokensProbe.Measure(model, 8, 3, seed: 1);
        Assert.Equal(a.MeanLoss, RepeatedTokensProbe.Measure(model, 8, 3, seed: 1).MeanLoss);
        Assert.Equal(15, a.MeanLoss.Count);
        Assert.Equal("spanLength", Assert.Throws<ArgumentOutOfRangeException>(() => RepeatedTokensProbe.Measure(model, 65, 1, 0)).ParamName);
        Assert.Equal("spanLength", Assert.Throws<ArgumentOutOfRangeException>(() => RepeatedTokensProbe.Measure(model, 1, 1, 0)).ParamName);
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => RepeatedTokensProbe.Measure(model, 8, 0, 0)).ParamName);
        Assert.Throws<ArgumentNullException>(() => RepeatedTokensProbe.Measure(null!, 8, 1, 0));
    }
}
