using System.Diagnostics;
using LlmNotebooks.TinyGpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
/// <param name="LayerGradNorms">L2 norm of the gradients of each group, before clipping: "embeddings" (wte, wpe),
/// "h.0" … "h.(nLayer−1)", "head" (ln_f, lm_head); in that order.</param>
/// <param name="Tokens">Tokens processed in the step (batch · nCtx).</param>
public sealed record TrainStepResult(int Step, double Loss, double LearningRate, double GradNorm,
    IReadOnlyList<KeyValuePair<string, double>> LayerGradNorms, int Tokens);

/// <summary>
/// Trains a <see cref="TorchGpt"/> on a token stream: random windows (<see cref="TokenWindows.SampleBatch"/>),
/// AdamW (Loshchilov and Hutter 2019; torch.optim.AdamW), linear warmup then cosine decay, global gradient-norm
/// clipping (Pascanu et al. 2013), per-layer gradient norms at every step. Deterministic given the seed and thread
/// count (CPU).
/// </summary>
public sealed class GptTrainer : IDisposable
{
    private readonly int[] _train;
    private readonly int[] _validation;
    private readonly Random _random;
    private readonly optim.Optimizer _optimizer;
    private readonly List<(string Group, Parameter Parameter)> _groups;
    private readonly string[] _groupNames;
    private readonly int[] _inputs, _targets;

    /// <summary>Creates the model (seeded) and optimizer.</summary>
    /// <param name="config">Model shape.</param>
    /// <param name="options">Hyper-parameters.</param>
    /// <param name="trainTokens">Training stream; length ≥ nCtx + 1; ids in [0, vocabSize).</param>
    /// <param name="validationTokens">Validation stream; length ≥ nCtx + 1; ids in [0, vocabSize).</param>
    /// <exception cref="ArgumentException">A stream too short or holding an id outside [0, vocabSize).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Invalid config or options.</exception>
    /// <exception cref="TorchUnavailableException">LibTorch failed to load (see <see cref="TorchRuntime.EnsureAvailable"/>).</exception>
    public GptTrainer(TinyGptConfig config, TrainingOptions options, int[] trainTokens, int[] validationTokens)
    {
        config.Validate();
        Options = options.Validate();
        CheckStream(trainTokens, config, nameof(trainTokens));
        CheckStream(validationTokens, config, nameof(validationTokens));
        TorchRuntime.EnsureAvailable();
        _train = trainTokens;
        _validation = validationTokens;
        torch.random.manual_seed(options.Seed);
        _random = new Random(options.Seed);
        Model = new TorchGpt(config);
        Model.train();
        var named = Model.named_parameters().ToList();
        var decay = named.Where(p => p.parameter.dim() >= 2).Select(p => p.parameter).ToList();
        var noDecay = named.Where(p => p.parameter.dim() < 2).Select(p => p.parameter).ToList();
        _optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = options.WeightDecay }),
                new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0.0 }),
            ],
            lr: options.LearningRate, beta1: options.Beta1, beta2: options.Beta2, eps: 1e-8);
        _groups = named.Select(p => (GroupOf(p.name), p.parameter)).ToList();
        _groupNames = ["embeddings", .. Enumerable.Range(0, config.NLayer).Select(i => $"h.{i}"), "head"];
        _inputs = new int[options.BatchSize * config.NCtx];
        _targets = new int[options.BatchSize * config.NCtx];
    }

    /// <summary>The model being trained.</summary>
    public TorchGpt Model { get; }

    /// <summary>The hyper-parameters.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Steps taken so far.</summary>
    public int StepsDone { get; private set; }

    /// <summary>One optimizer step on a fresh random batch.</summary>
    /// <exception cref="InvalidOperationException">All Options.Steps steps are done.</exception>
    public TrainStepResult Step()
    {
        if (StepsDone >= Options.Steps) throw new InvalidOperationException($"All {Options.Steps} steps are done.");
        int nCtx = Model.Config.NCtx;
        TokenWindows.SampleBatch(_train, Options.BatchSize, nCtx, _random, _inputs, _targets);
        double lr = Options.LearningRateAt(StepsDone);
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;

        using var scope = NewDisposeScope();
        Model.train();
        var x = ToTensor(_inputs, Options.BatchSize, nCtx);
        var y = ToTensor(_targets, Options.BatchSize, nCtx);
        _optimizer.zero_grad();
        var loss = Model.Loss(x, y);
        loss.backward();
        var norms = GroupNorms();
        double total = Math.Sqrt(norms.Sum(n => n.Value * n.Value));
        if (Options.GradClip > 0) nn.utils.clip_grad_norm_(Model.parameters(), Options.GradClip);
        _optimizer.step();
        var result = new TrainStepResult(StepsDone, loss.item<float>(), lr, total, norms, _inputs.Length);
        StepsDone++;
        return result;
    }

    /// <summary>Mean cross-entropy (nats per token) on the first <paramref name="maxWindows"/> evaluation windows of a stream
    /// (<see cref="TokenWindows.EvaluationWindow"/>; 0 = all); perplexity is its exp.</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0.</exception>
    public double EvaluateLoss(int[] tokens, int maxWindows = 0) => Evaluate(Model, tokens, maxWindows, Options.BatchSize);

    /// <summary>Mean cross-entropy on the validation stream (see <see cref="EvaluateLoss"/>).</summary>
    public double ValidationLoss(int maxWindows = 0) => EvaluateLoss(_validation, maxWindows);

    /// <summary>
    /// Mean cross-entropy (nats per token) of a model over evaluation windows of a stream, in batches, without gradients.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokens">The stream; length ≥ nCtx + 1.</param>
    /// <param name="maxWindows">Use the first maxWindows windows; 0 = all.</param>
    /// <param name="batchSize">Windows per forward pass; ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0 or batchSize &lt; 1.</exception>
    /// <exception cref="ArgumentException">The stream holds no window.</exception>
    public static double Evaluate(TorchGpt model, int[] tokens, int maxWindows = 0, int batchSize = 16)
    {
        Guard.NonNegative(maxWindows);
        Guard.Positive(batchSize);
        int nCtx = model.Config.NCtx;
        int count = TokenWindows.EvaluationWindowCount(tokens.Length, nCtx);
        if (count == 0) throw new ArgumentException($"tokens must hold at least nCtx + 1 = {nCtx + 1} ids; got {tokens.Length}.", nameof(tokens));
        if (maxWindows > 0) count = Math.Min(count, maxWindows);
        bool wasTraining = model.training;
        model.eval();
        double sum = 0;
        using (no_grad())
        {
            for (int start = 0; start < count; start += batchSize)
            {
                int n = Math.Min(batchSize, count - start);
                var inputs = new int[n * nCtx];
                var targets = new int[n * nCtx];
                for (int w = 0; w < n; w++)
                    TokenWindows.EvaluationWindow(tokens, nCtx, start + w, inputs.AsSpan(w * nCtx, nCtx), targets.AsSpan(w * nCtx, nCtx));
                using var scope = NewDisposeScope();
                using var loss = model.Loss(ToTensor(inputs, n, nCtx), ToTensor(targets, n, nCtx));
                sum += loss.item<float>() * n;
            }
        }
        if (wasTraining) model.train();
        return sum / count;
    }

    /// <summary>Frees the optimizer state and the model.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
    }

    internal static Tensor ToTensor(int[] ids, int rows, int cols)
    {
        var longs = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++) longs[i] = ids[i];
        return torch.tensor(longs, [rows, cols]);
    }

    private List<KeyValuePair<string, double>> GroupNorms()
    {
        var squares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (group, p) in _groups)
        {
            if (p.grad is null) continue;
            double n = p.grad.norm().item<float>();
            squares[group] = squares.GetValueOrDefault(group) + n * n;
        }
        return _groupNames.Select(g => new KeyValuePair<string, double>(g, Math.Sqrt(squares.GetValueOrDefault(g)))).ToList();
    }

    private static string GroupOf(string parameterName)
    {
        if (parameterName.StartsWith("h.", StringComparison.Ordinal))
            return parameterName[..parameterName.IndexOf('.', 2)];
        return parameterName.StartsWith("wte", StringComparison.Ordinal) || parameterName.StartsWith("wpe", StringComparison.Ordinal)
            ? "embeddings" : "head";
    }

    private static void CheckStream(int[] tokens, TinyGptConfig config, string name)
    {
        ArgumentNullException.ThrowIfNull(tokens, name);
        if (tokens.Length < config.NCtx + 1)
            throw new ArgumentException($"{name} must hold at least nCtx + 1 = {config.NCtx + 1} ids; got {tokens.Length}.", name);
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)config.VocabSize)
                throw new ArgumentException($"{name}[{i}] = {tokens[i]} lies outside [0, vocabSize = {config.VocabSize}).", name);
    }
}
