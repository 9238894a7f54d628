namespace LlmNotebooks.Gpt;

/// <summary>
/// Batch-1 incremental decoding with a KV cache: each <see cref="Append(int)"/> runs one token through every block, attending
/// over the cached keys and values of all earlier positions, so a step costs O(parameters + position · dModel). Eval mode
/// (BatchNorm uses its running statistics). A step allocates nothing. Not thread-safe (one session per thread).
/// </summary>
public sealed class GptSession
{
    private readonly GptConfig _c;
    private readonly GptForward _forward;
    private readonly float[] _logits;

    internal GptSession(GptModel model)
    {
        _c = model.Config;
        _forward = model.NewForward(rows: 1, sequences: 1, length: _c.NCtx);
        _logits = new float[_c.VocabSize];
    }

    /// <summary>Number of tokens fed so far (the next token's position); at most nCtx.</summary>
    public int Position { get; private set; }

    /// <summary>Forgets every cached position (Position becomes 0).</summary>
    public void Reset() => Position = 0;

    /// <summary>Feeds one token at position <see cref="Position"/> and returns the logits for the token after it.</summary>
    /// <param name="id">Token id in [0, vocabSize).</param>
    /// <returns>Shape [vocabSize]; a view of an internal buffer, valid until the next call.</returns>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">The session already holds nCtx positions (call <see cref="Reset"/>).</exception>
    public ReadOnlySpan<float> Append(int id)
    {
        Append(id, _logits);
        return _logits;
    }

    /// <summary>Feeds one token; writes the next-token logits into <paramref name="logits"/> unless it is empty (which skips
    /// lm_head, e.g. for all but the last prompt token).</summary>
    /// <param name="id">Token id in [0, vocabSize).</param>
    /// <param name="logits">Shape [vocabSize], or empty.</param>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, vocabSize).</exception>
    /// <exception cref="ArgumentException">logits neither empty nor vocabSize long.</exception>
    /// <exception cref="InvalidOperationException">The session already holds nCtx positions.</exception>
    public void Append(int id, Span<float> logits)
    {
        Guard.TokenId(id, _c.VocabSize);
        if (!logits.IsEmpty && logits.Length != _c.VocabSize)
            throw new ArgumentException($"logits must be empty or have length vocabSize = {_c.VocabSize}; got {logits.Length}.", nameof(logits));
        if (Position >= _c.NCtx)
            throw new InvalidOperationException($"The session holds nCtx = {_c.NCtx} positions; Reset it (or crop the context) before feeding more.");
        _forward.Ids[0] = id;
        _forward.Positions[0] = Position;
        _forward.Run(1, logits, ForwardMode.Eval);
        Position++;
    }
}
