namespace LlmNotebooks.Sampling;

/// <summary>
/// One decoding step: picks the next token id from the model's raw next-token logits.
/// This is the seam between a language model (which produces logits) and a decoding strategy
/// (greedy, or sampling after temperature / top-k / top-p / min-p / repetition penalty).
/// </summary>
/// <param name="context">Token ids seen so far (prompt + generated), oldest first; used by repetition penalties.</param>
/// <param name="logits">Raw next-token logits, shape [vocabSize]. The selector may overwrite it (processors work in place).</param>
/// <param name="random">The random source; the same seed gives the same choice. Greedy selectors ignore it.</param>
/// <returns>The chosen token id in [0, vocabSize).</returns>
public delegate int NextTokenSelector(ReadOnlySpan<int> context, Span<float> logits, Random random);
