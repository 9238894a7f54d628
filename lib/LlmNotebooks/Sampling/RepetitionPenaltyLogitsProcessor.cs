using System.Buffers;
using System.Globalization;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Repetition penalty of CTRL (Keskar et al. 2019, arXiv:1909.05858, §4.1), in Hugging Face's form
/// (RepetitionPenaltyLogitsProcessor): for every distinct token id in the context, once, a positive logit is divided by
/// the penalty θ and a negative one multiplied by it (so θ &gt; 1 always lowers the token's probability, θ &lt; 1 raises it;
/// θ = 1 is the identity; a logit of 0 and -∞ are unchanged). CTRL's paper divides every logit by θ, which would raise
/// a negative logit; HF's sign split is the variant in practice. The paper suggests θ ≈ 1.2.
/// </summary>
public sealed class RepetitionPenaltyLogitsProcessor : ILogitsProcessor
{
    /// <summary>Creates the processor.</summary>
    /// <param name="penalty">θ, a finite number &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="penalty"/> is not a finite number &gt; 0.</exception>
    public RepetitionPenaltyLogitsProcessor(double penalty) => Penalty = Guard.PositiveFinite(penalty, nameof(penalty));

    /// <summary>θ (&gt; 0, dimensionless).</summary>
    public double Penalty { get; }

    /// <inheritdoc />
    public string Name => "repetition penalty " + Penalty.ToString("G4", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">(ParamName "context") a context id is outside [0, vocabSize); or (ParamName
    /// "logits") the penalty overflows the finite logit of a context token to ±∞: with θ &gt; 1 a negative logit needs
    /// l ≥ -float.MaxValue / θ, with θ &lt; 1 a positive logit needs l ≤ float.MaxValue · θ (float.MaxValue ≈ 3.4028235e38);
    /// the message names the index and its bound. Nothing is written.</exception>
    public void Process(ReadOnlySpan<int> context, Span<float> logits)
    {
        LogitsChecks.Processed(logits, nameof(logits));
        LogitsChecks.Context(context, logits.Length, nameof(context));
        bool[] seen = ArrayPool<bool>.Shared.Rent(logits.Length);
        try
        {
            Array.Clear(seen, 0, logits.Length);
            foreach (int id in context)
            {
                if (seen[id]) continue;
                seen[id] = true;
                if (float.IsFinite(logits[id]) && !float.IsFinite(Penalized(logits[id])))
                {
                    // Only a negative logit can overflow when θ > 1 (it is multiplied), only a positive one when θ < 1.
                    string inv(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
                    string rule = logits[id] < 0
                        ? $"a negative logit must be ≥ -float.MaxValue / penalty = {inv(-(double)float.MaxValue / Penalty)}"
                        : $"a positive logit must be ≤ float.MaxValue × penalty = {inv((double)float.MaxValue * Penalty)}";
                    throw new ArgumentOutOfRangeException(nameof(logits), logits[id],
                        $"repetition penalty {inv(Penalty)} overflows logits[{id}] = {inv(logits[id])} to ±∞: for a token " +
                        $"in the context, {rule}. Nothing was written.");
                }
            }
            for (int id = 0; id < logits.Length; id++)
                if (seen[id]) logits[id] = Penalized(logits[id]);
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(seen);
        }
    }

    private float Penalized(float logit) => logit < 0 ? (float)(logit * Penalty) : (float)(logit / Penalty);
}
