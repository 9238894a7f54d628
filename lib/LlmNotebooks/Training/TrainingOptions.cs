namespace LlmNotebooks.Training;

/// <summary>Hyper-parameters of a training run. Defaults are the shipped model's.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimizer steps; ≥ 1.</summary>
    public int Steps { get; init; } = 3000;

    /// <summary>Windows per batch; ≥ 1. Tokens per step = BatchSize · nCtx.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate (after warmup); finite and &gt; 0.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Learning rate at the end of the cosine decay; finite and in [0, LearningRate].</summary>
    public double MinLearningRate { get; init; } = 3e-4;

    /// <summary>The warmup switch: true ramps the learning rate linearly over WarmupSteps; false starts at the peak.</summary>
    public bool Warmup { get; init; } = true;

    /// <summary>Warmup length in steps; ≥ 0 (ignored when Warmup is false).</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW decoupled weight decay (Loshchilov and Hutter 2019), applied to matrices only (not biases, LayerNorms); ≥ 0.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>AdamW β₁.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β₂ (nanoGPT uses 0.95 for small models).</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Clip the global gradient L2 norm to this value; finite and &gt; 0, or 0 to switch clipping off.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Seed for weight initialisation (torch) and batch sampling (System.Random).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Measure validation perplexity every this many steps (and at the end); ≥ 1.</summary>
    public int EvalEvery { get; init; } = 250;

    /// <summary>Validation windows used by the periodic evaluations (0 = all); the final evaluation always uses all.</summary>
    public int EvalWindows { get; init; } = 64;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field outside its range (named).</exception>
    public TrainingOptions Validate()
    {
        Guard.Positive(Steps, nameof(Steps));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.PositiveFinite(LearningRate, nameof(LearningRate));
        if (!double.IsFinite(MinLearningRate) || MinLearningRate < 0 || MinLearningRate > LearningRate)
            throw new ArgumentOutOfRangeException(nameof(MinLearningRate), MinLearningRate, $"MinLearningRate must lie in [0, LearningRate = {LearningRate}]; got {MinLearningRate}.");
        Guard.NonNegative(WarmupSteps, nameof(WarmupSteps));
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"WeightDecay must be finite and ≥ 0; got {WeightDecay}.");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, $"Beta1 must lie in [0, 1); got {Beta1}.");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, $"Beta2 must lie in [0, 1); got {Beta2}.");
        if (!double.IsFinite(GradClip) || GradClip < 0)
            throw new ArgumentOutOfRangeException(nameof(GradClip), GradClip, $"GradClip must be finite and ≥ 0 (0 = off); got {GradClip}.");
        Guard.Positive(EvalEvery, nameof(EvalEvery));
        Guard.NonNegative(EvalWindows, nameof(EvalWindows));
        return this;
    }

    /// <summary>
    /// Learning rate at a step (0-based): linear warmup (step+1)/WarmupSteps · peak, then cosine decay from the peak to
    /// MinLearningRate at the last step (Loshchilov and Hutter 2017, SGDR eq. 5, one cycle; as nanoGPT's get_lr).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">step outside [0, Steps).</exception>
    public double LearningRateAt(int step)
    {
        if (step < 0 || step >= Steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"step must lie in [0, {Steps}); got {step}.");
        int warm = Warmup ? Math.Min(WarmupSteps, Steps) : 0;
        if (step < warm) return LearningRate * (step + 1) / warm;
        int decaySteps = Steps - warm;
        double progress = decaySteps <= 1 ? 1.0 : (double)(step - warm) / (decaySteps - 1);
        return MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (LearningRate - MinLearningRate);
    }
}

/// <summary>What one optimizer step did.</summary>
/// <param name="Step">0-based step index.</param>
/// <param name="Loss">Mean training cross-entropy of the batch before the update, nats per token.</param>
/// <param name="LearningRate">Learning rate used for the update.</param>
/// <param name="GradNorm">Global L2 norm of all gradients before clipping.</param>
/// <param name="Tokens">Tokens processed in the step (batch · nCtx).</param>
/// <param name="LayerGradNorms">L2 norm of each group's gradients before clipping, in order "embeddings" (wte, wpe), "h.0" …
/// "h.(nLayer−1)", "head" (ln_f, lm_head); null in a log that did not record them.</param>
public sealed record TrainingStep(int Step, double Loss, double LearningRate, double GradNorm, int Tokens,
    IReadOnlyDictionary<string, double>? LayerGradNorms = null);
