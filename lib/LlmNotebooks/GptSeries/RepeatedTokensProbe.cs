using LlmNotebooks.Gpt;
using LlmNotebooks.Numerics;

namespace LlmNotebooks.GptSeries;

/// <summary>Next-token loss of a model on random spans shown twice (<see cref="RepeatedTokensProbe"/>).</summary>
/// <param name="SpanLength">L, tokens per span; the sequences are 2·L tokens.</param>
/// <param name="Trials">How many random spans were averaged.</param>
/// <param name="MeanLoss">[2·L − 1]: entry t is the mean −ln p(x_{t+1} | x_0 … x_t) over the trials, in nats.</param>
/// <param name="FirstCopyLoss">Mean loss on tokens 1 … L−1 (the first copy, unpredictable).</param>
/// <param name="SecondCopyLoss">Mean loss on tokens L+1 … 2L−1 (the repeat, predictable by copying).</param>
/// <param name="UniformLoss">ln(vocabSize): the loss of a uniform guess, in nats.</param>
public sealed record RepeatedTokensLoss(
    int SpanLength, int Trials, IReadOnlyList<double> MeanLoss, double FirstCopyLoss, double SecondCopyLoss, double UniformLoss)
{
    /// <summary>FirstCopyLoss − SecondCopyLoss: how many nats per token the model gains from having seen the span; near
    /// the first copy's loss for a model that copies, near 0 for one that does not.</summary>
    public double CopyingGain => FirstCopyLoss - SecondCopyLoss;
}

/// <summary>
/// The repeated-random-tokens test for in-context copying (Olsson et al. 2022, "In-context Learning and Induction
/// Heads", arXiv:2209.11895): a span of L uniformly random token ids followed by the same span again. The first copy
/// cannot be predicted; an induction head ("find the earlier occurrence of the current token, copy what followed it")
/// predicts the second copy almost perfectly, so its loss drops far below the first copy's.
/// </summary>
public static class RepeatedTokensProbe
{
    /// <summary>Measures the loss on both copies, averaged over <paramref name="trials"/> random spans (seeded).</summary>
    /// <param name="model">A model that runs (<see cref="GptConfig.ValidateRunnable"/>).</param>
    /// <param name="spanLength">L, in [2, nCtx / 2].</param>
    /// <param name="trials">Random spans, in [1, 1024].</param>
    /// <param name="seed">Seed of the random spans.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">spanLength or trials out of range.</exception>
    public static RepeatedTokensLoss Measure(GptModel model, int spanLength, int trials, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        int vocab = model.Config.VocabSize, nCtx = model.Config.NCtx;
        if (spanLength < 2 || 2L * spanLength > nCtx)
            throw new ArgumentOutOfRangeException(nameof(spanLength), spanLength, $"spanLength must lie in [2, nCtx / 2 = {nCtx / 2}]; got {spanLength}.");
        if (trials is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(trials), trials, $"trials must lie in [1, 1024]; got {trials}.");
        int t = 2 * spanLength;
        var random = new Random(seed);
        var ids = new int[trials, t];
        for (int b = 0; b < trials; b++)
            for (int i = 0; i < spanLength; i++)
                ids[b, i] = ids[b, i + spanLength] = random.Next(vocab);
        var logits = model.Logits(ids); // [trials, 2L, V]: row i predicts token i + 1
        var mean = new double[t - 1];
        var row = new float[vocab];
        for (int b = 0; b < trials; b++)
            for (int i = 0; i < t - 1; i++)
            {
                for (int v = 0; v < vocab; v++) row[v] = logits[b, i, v];
                mean[i] += Softmax.NegativeLogLikelihood(row, ids[b, i + 1]) / trials;
            }
        double first = mean[..(spanLength - 1)].Average();   // predicting tokens 1 … L−1
        double second = mean[spanLength..].Average();        // predicting tokens L+1 … 2L−1
        return new RepeatedTokensLoss(spanLength, trials, mean, first, second, Math.Log(vocab));
    }
}
