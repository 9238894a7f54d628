using System.Buffers;

namespace LlmNotebooks.Sampling;

/// <summary>
/// A decoding configuration in the style of Hugging Face's GenerationConfig: the processors it names run in
/// <see cref="Order"/> (default: Hugging Face's — repetition penalty, then temperature, top-k, top-p, min-p; see
/// GenerationMixin._get_logits_processor), then one token is drawn.
/// A stage runs iff its property is set (null = absent); set parameters are validated when assigned.
/// Entry contract: the logits given to <see cref="Process"/>, the selectors (<see cref="AsSelector"/>,
/// <see cref="AsGreedySelector"/>, <see cref="Greedy"/>) and <see cref="Trace"/> are raw model logits and must all
/// be finite (-∞ included: it is legal only between processors, where it marks a filtered token).
/// Context ids must lie in [0, vocabSize).
/// Example: <c>new SamplingPipeline { RepetitionPenalty = 1.2, Temperature = 0.7, TopK = 50, TopP = 0.9 }.AsSelector()</c>.
/// </summary>
public sealed class SamplingPipeline
{
    /// <summary>Hugging Face's order: penalties, then temperature, top-k, top-p, min-p.</summary>
    public static IReadOnlyList<SamplingStage> DefaultOrder { get; } =
        [SamplingStage.RepetitionPenalty, SamplingStage.Temperature, SamplingStage.TopK, SamplingStage.TopP, SamplingStage.MinP];

    /// <summary>
    /// Greedy decoding: validates the raw logits and returns their argmax (lowest id among equal maxima); ignores
    /// context and random, never modifies the logits. The T → 0 limit of sampling when the maximum is unique.
    /// </summary>
    public static NextTokenSelector Greedy { get; } = (context, logits, random) =>
    {
        LogitsChecks.Raw(logits, nameof(logits));
        return Samplers.ArgMax(logits);
    };

    /// <summary>Repetition penalty θ &gt; 0 (CTRL / HF); null = no penalty stage. 1 is a stage that changes nothing.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a finite number &gt; 0.</exception>
    public double? RepetitionPenalty
    {
        get;
        init => field = value is { } v ? Guard.PositiveFinite(v, nameof(RepetitionPenalty)) : null;
    }

    /// <summary>Temperature T &gt; 0; null = no temperature stage (same as T = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">T ≤ 0, NaN or ±∞ (the message points to <see cref="Greedy"/>).</exception>
    public double? Temperature
    {
        get;
        init => field = value is { } v ? TemperatureLogitsWarper.Check(v, nameof(Temperature)) : null;
    }

    /// <summary>Top-k, k ≥ 1; null = no top-k stage.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 1.</exception>
    public int? TopK
    {
        get;
        init => field = value is { } v ? Guard.Positive(v, nameof(TopK)) : null;
    }

    /// <summary>Top-p, p ∈ (0, 1]; null = no top-p stage (same as p = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">p ∉ (0, 1], NaN included.</exception>
    public double? TopP
    {
        get;
        init => field = value is { } v ? Guard.UnitIntervalOpenClosed(v, nameof(TopP)) : null;
    }

    /// <summary>Min-p, minP ∈ [0, 1]; null = no min-p stage (same as minP = 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">minP ∉ [0, 1], NaN included.</exception>
    public double? MinP
    {
        get;
        init => field = value is { } v ? MinPLogitsWarper.Check(v, nameof(MinP)) : null;
    }

    /// <summary>minTokensToKeep for top-k, top-p and min-p (≥ 1; default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">&lt; 1.</exception>
    public int MinTokensToKeep
    {
        get;
        init => field = Guard.Positive(value, nameof(MinTokensToKeep));
    } = 1;

    /// <summary>
    /// The order in which set stages run; each stage at most once. Default <see cref="DefaultOrder"/>.
    /// A set parameter whose stage is missing from the order is an error (reported when the pipeline is used).
    /// </summary>
    /// <exception cref="ArgumentNullException">null.</exception>
    /// <exception cref="ArgumentException">A duplicate or undefined stage.</exception>
    public IReadOnlyList<SamplingStage> Order
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Order));
            var seen = new HashSet<SamplingStage>();
            foreach (var stage in value)
            {
                if (!Enum.IsDefined(stage))
                    throw new ArgumentException($"Order contains an undefined stage ({(int)stage}).", nameof(Order));
                if (!seen.Add(stage))
                    throw new ArgumentException($"Order lists {stage} twice; each stage runs at most once.", nameof(Order));
            }
            field = value.ToArray();
        }
    } = DefaultOrder;

    /// <summary>The processors that run, in order (only the stages whose parameter is set).</summary>
    /// <exception cref="InvalidOperationException">A parameter is set but its stage is not in <see cref="Order"/>.</exception>
    public IReadOnlyList<ILogitsProcessor> Processors => field ??= Build();

    /// <summary>
    /// Runs the processors on raw model logits (shape [vocabSize]); the result replaces the logits. The stages run on a
    /// pooled copy that is copied back only when every stage succeeded, so on an exception the logits are unchanged
    /// (even when a later stage fails after an earlier one ran, e.g. temperature overflowing after the penalty).
    /// </summary>
    /// <param name="context">Token ids so far (prompt + generated), oldest first.</param>
    /// <param name="logits">Raw model logits, all finite.</param>
    /// <exception cref="ArgumentException">Empty logits, a NaN/±∞ logit, or a context id outside [0, vocabSize);
    /// a stage that cannot process these logits (e.g. l / T overflows float).</exception>
    /// <exception cref="InvalidOperationException">A parameter is set but its stage is not in <see cref="Order"/>.</exception>
    public void Process(ReadOnlySpan<int> context, Span<float> logits)
    {
        var processors = Processors;
        LogitsChecks.Raw(logits, nameof(logits));
        LogitsChecks.Context(context, logits.Length, nameof(context));
        if (processors.Count == 0) return;
        float[] rented = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            var work = rented.AsSpan(0, logits.Length);
            logits.CopyTo(work);
            foreach (var processor in processors) processor.Process(context, work);
            work.CopyTo(logits);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// This pipeline as a <see cref="NextTokenSelector"/>: <see cref="Process"/> (overwrites the logits), then
    /// <see cref="Samplers.Sample"/> with the given random source.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter is set but its stage is not in <see cref="Order"/>.</exception>
    public NextTokenSelector AsSelector()
    {
        _ = Processors; // configuration errors surface here, not at the first token
        return (context, logits, random) =>
        {
            ArgumentNullException.ThrowIfNull(random);
            Process(context, logits);
            return Samplers.Sample(logits, random);
        };
    }

    /// <summary>
    /// This pipeline followed by argmax instead of sampling: <see cref="Process"/> (overwrites the logits), then
    /// <see cref="Samplers.ArgMax"/>. Hugging Face's greedy search applies its logits processors (e.g. the repetition
    /// penalty) the same way. Ignores the random source.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter is set but its stage is not in <see cref="Order"/>.</exception>
    public NextTokenSelector AsGreedySelector()
    {
        _ = Processors;
        return (context, logits, random) =>
        {
            Process(context, logits);
            return Samplers.ArgMax(logits);
        };
    }

    /// <summary>
    /// The distribution after each stage, for display: entry 0 is the input ("logits"), then one entry per processor.
    /// Pure: the input is copied, nothing is sampled.
    /// </summary>
    /// <param name="context">Token ids so far, oldest first.</param>
    /// <param name="logits">Raw model logits, shape [vocabSize], all finite.</param>
    /// <returns>1 + Processors.Count views.</returns>
    /// <exception cref="ArgumentException">Empty logits, a NaN/±∞ logit, or a context id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">A parameter is set but its stage is not in <see cref="Order"/>.</exception>
    public IReadOnlyList<StageView> Trace(ReadOnlySpan<int> context, ReadOnlySpan<float> logits)
    {
        var processors = Processors;
        LogitsChecks.Raw(logits, nameof(logits));
        LogitsChecks.Context(context, logits.Length, nameof(context));
        var current = logits.ToArray();
        var views = new List<StageView> { StageView.From("logits", current) };
        foreach (var processor in processors)
        {
            processor.Process(context, current);
            views.Add(StageView.From(processor.Name, current));
        }
        return views;
    }

    private ILogitsProcessor[] Build()
    {
        var present = new Dictionary<SamplingStage, bool>
        {
            [SamplingStage.RepetitionPenalty] = RepetitionPenalty.HasValue,
            [SamplingStage.Temperature] = Temperature.HasValue,
            [SamplingStage.TopK] = TopK.HasValue,
            [SamplingStage.TopP] = TopP.HasValue,
            [SamplingStage.MinP] = MinP.HasValue,
        };
        foreach (var (stage, isSet) in present)
            if (isSet && !Order.Contains(stage))
                throw new InvalidOperationException($"{stage} is set but Order ({string.Join(", ", Order)}) does not run it.");
        var processors = new List<ILogitsProcessor>();
        foreach (var stage in Order)
        {
            ILogitsProcessor? p = stage switch
            {
                SamplingStage.RepetitionPenalty when RepetitionPenalty is { } theta => new RepetitionPenaltyLogitsProcessor(theta),
                SamplingStage.Temperature when Temperature is { } t => new TemperatureLogitsWarper(t),
                SamplingStage.TopK when TopK is { } k => new TopKLogitsWarper(k, MinTokensToKeep),
                SamplingStage.TopP when TopP is { } p1 => new TopPLogitsWarper(p1, MinTokensToKeep),
                SamplingStage.MinP when MinP is { } mp => new MinPLogitsWarper(mp, MinTokensToKeep),
                _ => null,
            };
            if (p is not null) processors.Add(p);
        }
        return processors.ToArray();
    }
}
