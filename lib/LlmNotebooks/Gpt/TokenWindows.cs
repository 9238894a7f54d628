namespace LlmNotebooks.Gpt;

/// <summary>Mean cross-entropy (nats per token) of a batch of windows, for <see cref="TokenWindows.MeanCrossEntropy"/>.</summary>
/// <param name="inputs">Input ids, shape [windows, nCtx] row-major.</param>
/// <param name="targets">Target ids, shape [windows, nCtx] row-major.</param>
/// <param name="windows">Number of windows in the batch.</param>
public delegate double BatchCrossEntropy(int[] inputs, int[] targets, int windows);

/// <summary>
/// The token stream a GPT trains on and the windows cut from it. Documents are joined GPT-2 style: each one is preceded
/// by &lt;|endoftext|&gt;, so the model sees document boundaries. A window of nCtx inputs predicts the next token at every
/// position: inputs = stream[s … s+nCtx−1], targets = stream[s+1 … s+nCtx] (Radford et al. 2018 §3.1, eq. 1).
/// </summary>
public static class TokenWindows
{
    /// <summary>Encodes documents into one stream: [EOT, doc₁…, EOT, doc₂…, …].</summary>
    /// <param name="documents">Texts, in order.</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <returns>The token ids; length = number of documents + their token counts.</returns>
    public static int[] Concatenate(IEnumerable<string> documents, TinyGptTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var stream = new List<int>();
        foreach (var doc in documents)
        {
            stream.Add(TinyGptTokenizer.EndOfTextId);
            stream.AddRange(tokenizer.Encode(doc));
        }
        return [.. stream];
    }

    /// <summary>
    /// Fills a batch of windows starting at uniformly random offsets s ∈ [0, stream.Length − nCtx − 1] (nanoGPT's
    /// get_batch): inputs[b, t] = stream[s_b + t], targets[b, t] = stream[s_b + t + 1].
    /// </summary>
    /// <param name="stream">Token ids; length ≥ nCtx + 1.</param>
    /// <param name="batchSize">Windows per batch; ≥ 1.</param>
    /// <param name="nCtx">Window length; ≥ 1.</param>
    /// <param name="random">Source of the offsets (same seed, same batches).</param>
    /// <param name="inputs">Output, shape [batchSize, nCtx] row-major.</param>
    /// <param name="targets">Output, shape [batchSize, nCtx] row-major.</param>
    /// <exception cref="ArgumentOutOfRangeException">batchSize or nCtx &lt; 1.</exception>
    /// <exception cref="ArgumentException">stream shorter than nCtx + 1, or an output span not batchSize·nCtx long.</exception>
    public static void SampleBatch(ReadOnlySpan<int> stream, int batchSize, int nCtx, Random random, Span<int> inputs, Span<int> targets)
    {
        Guard.Positive(batchSize);
        Guard.Positive(nCtx);
        ArgumentNullException.ThrowIfNull(random);
        if (stream.Length < nCtx + 1)
            throw new ArgumentException($"stream must hold at least nCtx + 1 = {nCtx + 1} tokens; got {stream.Length}.", nameof(stream));
        CheckLength(inputs.Length, batchSize * nCtx, nameof(inputs));
        CheckLength(targets.Length, batchSize * nCtx, nameof(targets));
        for (int b = 0; b < batchSize; b++)
        {
            int s = random.Next(stream.Length - nCtx);
            stream.Slice(s, nCtx).CopyTo(inputs.Slice(b * nCtx, nCtx));
            stream.Slice(s + 1, nCtx).CopyTo(targets.Slice(b * nCtx, nCtx));
        }
    }

    /// <summary>Number of non-overlapping evaluation windows: ⌊(streamLength − 1) / nCtx⌋.</summary>
    /// <exception cref="ArgumentOutOfRangeException">streamLength &lt; 0 or nCtx &lt; 1.</exception>
    public static int EvaluationWindowCount(int streamLength, int nCtx)
    {
        Guard.NonNegative(streamLength);
        Guard.Positive(nCtx);
        return Math.Max(0, (streamLength - 1) / nCtx);
    }

    /// <summary>
    /// Window k of the evaluation split: inputs = stream[k·nCtx … k·nCtx+nCtx−1], targets shifted by one. Perplexity is
    /// exp of the mean cross-entropy (nats) over every target of windows 0 … count − 1.
    /// </summary>
    /// <param name="stream">Token ids.</param>
    /// <param name="nCtx">Window length; ≥ 1.</param>
    /// <param name="index">Window index in [0, EvaluationWindowCount).</param>
    /// <param name="inputs">Output, shape [nCtx].</param>
    /// <param name="targets">Output, shape [nCtx].</param>
    /// <exception cref="ArgumentOutOfRangeException">nCtx &lt; 1 or index outside [0, EvaluationWindowCount).</exception>
    /// <exception cref="ArgumentException">An output span not nCtx long.</exception>
    public static void EvaluationWindow(ReadOnlySpan<int> stream, int nCtx, int index, Span<int> inputs, Span<int> targets)
    {
        int count = EvaluationWindowCount(stream.Length, nCtx);
        if (index < 0 || index >= count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must lie in [0, {count}); got {index}.");
        CheckLength(inputs.Length, nCtx, nameof(inputs));
        CheckLength(targets.Length, nCtx, nameof(targets));
        stream.Slice(index * nCtx, nCtx).CopyTo(inputs);
        stream.Slice(index * nCtx + 1, nCtx).CopyTo(targets);
    }

    /// <summary>Windows an evaluation uses: all <see cref="EvaluationWindowCount"/> of them, or the first maxWindows.</summary>
    /// <param name="streamLength">Tokens in the stream; ≥ 0.</param>
    /// <param name="nCtx">Window length; ≥ 1.</param>
    /// <param name="maxWindows">Cap; 0 = all.</param>
    /// <exception cref="ArgumentOutOfRangeException">streamLength or maxWindows &lt; 0, or nCtx &lt; 1.</exception>
    public static int EvaluationWindowsUsed(int streamLength, int nCtx, int maxWindows)
    {
        Guard.NonNegative(maxWindows);
        int count = EvaluationWindowCount(streamLength, nCtx);
        return maxWindows == 0 ? count : Math.Min(count, maxWindows);
    }

    /// <summary>
    /// Mean cross-entropy (nats per token) over the first windows of the evaluation split, fed to a model in batches: the
    /// one loop behind the C# model's, the trainer's and the experiments' validation losses. Every window has nCtx targets,
    /// so the mean over windows of each batch's mean is the mean over all targets.
    /// </summary>
    /// <param name="stream">Token ids; length ≥ nCtx + 1.</param>
    /// <param name="nCtx">Window length; ≥ 1.</param>
    /// <param name="maxWindows">Windows to use; 0 = all (<see cref="EvaluationWindowsUsed"/>).</param>
    /// <param name="batchSize">Windows per call of <paramref name="batchLoss"/>; ≥ 1.</param>
    /// <param name="batchLoss">Mean cross-entropy of a batch: inputs and targets [windows, nCtx] row-major.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0, nCtx or batchSize &lt; 1.</exception>
    /// <exception cref="ArgumentException">The stream holds no window.</exception>
    public static double MeanCrossEntropy(ReadOnlySpan<int> stream, int nCtx, int maxWindows, int batchSize, BatchCrossEntropy batchLoss)
    {
        ArgumentNullException.ThrowIfNull(batchLoss);
        Guard.Positive(batchSize);
        int count = EvaluationWindowsUsed(stream.Length, nCtx, maxWindows);
        if (count == 0) throw new ArgumentException($"stream must hold at least nCtx + 1 = {nCtx + 1} ids; got {stream.Length}.", nameof(stream));
        double sum = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var inputs = new int[n * nCtx];
            var targets = new int[n * nCtx];
            for (int w = 0; w < n; w++)
                EvaluationWindow(stream, nCtx, start + w, inputs.AsSpan(w * nCtx, nCtx), targets.AsSpan(w * nCtx, nCtx));
            sum += batchLoss(inputs, targets, n) * n;
        }
        return sum / count;
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} must have length {expected}; got {actual}.", name);
    }
}
