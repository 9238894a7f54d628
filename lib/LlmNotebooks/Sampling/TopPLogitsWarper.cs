using System.Globalization;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Top-p (nucleus) truncation: keeps the smallest top-ranked set whose probability reaches p (the token that crosses p
/// is kept) and sets the rest to -∞. The exact rule, tie order and boundary tolerance are those of <see cref="TopP"/>;
/// this warper uses the fast selection (<see cref="TopP.KeepSet"/>), which never sorts the vocabulary.
/// Source: Holtzman et al. 2019, arXiv:1904.09751, §3.1; Hugging Face TopPLogitsWarper.
/// </summary>
public sealed class TopPLogitsWarper : ILogitsProcessor
{
    /// <summary>Creates the warper.</summary>
    /// <param name="topP">p in (0, 1]; 1 keeps every finite token.</param>
    /// <param name="minTokensToKeep">At least this many top-ranked finite tokens survive (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topP"/> ∉ (0, 1] (NaN included) or <paramref name="minTokensToKeep"/> &lt; 1.</exception>
    public TopPLogitsWarper(double topP, int minTokensToKeep = 1)
    {
        TopP = Guard.UnitIntervalOpenClosed(topP, nameof(topP));
        MinTokensToKeep = Guard.Positive(minTokensToKeep, nameof(minTokensToKeep));
    }

    /// <summary>p, the probability mass to keep, in (0, 1].</summary>
    public double TopP { get; }

    /// <summary>Minimum number of tokens kept.</summary>
    public int MinTokensToKeep { get; }

    /// <inheritdoc />
    public string Name => "top-p " + TopP.ToString("G4", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Process(ReadOnlySpan<int> context, Span<float> logits) =>
        Sampling.TopP.Apply(logits, TopP, MinTokensToKeep);
}
