using System.Diagnostics;
using LlmNotebooks.Gpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmNotebooks.Training;

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
    /// <exception cref="ArgumentException">A stream too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, vocabSize), or invalid config or options.</exception>
    /// <exception cref="NotSupportedException">A config only counting supports (<see cref="GptConfig.ValidateRunnable"/>).</exception>
    /// <exception cref="TorchUnavailableException">LibTorch failed to load (see <see cref="TorchRuntime.EnsureAvailable"/>).</exception>
    public GptTrainer(GptConfig config, TrainingOptions options, int[] trainTokens, int[] validationTokens)
    {
        config.ValidateRunnable();
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
    public TrainingStep Step()
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
        double total = Math.Sqrt(norms.Values.Sum(n => n * n));
        if (Options.GradClip > 0) nn.utils.clip_grad_norm_(Model.parameters(), Options.GradClip);
        _optimizer.step();
        var result = new TrainingStep(StepsDone, loss.item<float>(), lr, total, _inputs.Length, norms);
        StepsDone++;
        return result;
    }

    /// <summary>Mean cross-entropy (nats per token) on the first <paramref name="maxWindows"/> evaluation windows of a stream
    /// (0 = all); perplexity is its exp. See <see cref="Evaluate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0.</exception>
    public double EvaluateLoss(int[] tokens, int maxWindows = 0, ForwardMode mode = ForwardMode.Eval) =>
        Evaluate(Model, tokens, maxWindows, Options.BatchSize, mode);

    /// <summary>Mean cross-entropy on the validation stream (see <see cref="EvaluateLoss"/>).</summary>
    public double ValidationLoss(int maxWindows = 0, ForwardMode mode = ForwardMode.Eval) => EvaluateLoss(_validation, maxWindows, mode);

    /// <summary>
    /// Mean cross-entropy (nats per token) of a model over evaluation windows of a stream (<see cref="TokenWindows.MeanCrossEntropy"/>),
    /// in batches, without gradients. Train mode gives BatchNorm each batch's statistics, with its running statistics frozen.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokens">The stream; length ≥ nCtx + 1.</param>
    /// <param name="maxWindows">Use the first maxWindows windows; 0 = all.</param>
    /// <param name="batchSize">Windows per forward pass; ≥ 1.</param>
    /// <param name="mode">Eval (model.eval()) or Train (model.train(), running statistics not updated).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0 or batchSize &lt; 1.</exception>
    /// <exception cref="ArgumentException">The stream holds no window.</exception>
    public static double Evaluate(TorchGpt model, int[] tokens, int maxWindows = 0, int batchSize = 16, ForwardMode mode = ForwardMode.Eval)
    {
        int nCtx = model.Config.NCtx;
        bool wasTraining = model.training;
        if (mode == ForwardMode.Train) model.train();
        else model.eval();
        model.UpdateRunningStatistics = false;
        try
        {
            using var _ = no_grad();
            return TokenWindows.MeanCrossEntropy(tokens, nCtx, maxWindows, batchSize, (inputs, targets, windows) =>
            {
                using var scope = NewDisposeScope();
                using var loss = model.Loss(ToTensor(inputs, windows, nCtx), ToTensor(targets, windows, nCtx));
                return loss.item<float>();
            });
        }
        finally
        {
            model.UpdateRunningStatistics = true;
            if (wasTraining) model.train();
            else model.eval();
        }
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

    private Dictionary<string, double> GroupNorms()
    {
        var squares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (group, p) in _groups)
        {
            if (p.grad is null) continue;
            double n = p.grad.norm().item<float>();
            squares[group] = squares.GetValueOrDefault(group) + n * n;
        }
        return _groupNames.ToDictionary(g => g, g => Math.Sqrt(squares.GetValueOrDefault(g)), StringComparer.Ordinal);
    }

    private static string GroupOf(string parameterName)
    {
        if (parameterName.StartsWith("h.", StringComparison.Ordinal))
            return parameterName[..parameterName.IndexOf('.', 2)];
        return parameterName.StartsWith("wte", StringComparison.Ordinal) || parameterName.StartsWith("wpe", StringComparison.Ordinal)
            ? "embeddings" : "head";
    }

    private static void CheckStream(int[] tokens, GptConfig config, string name)
    {
        ArgumentNullException.ThrowIfNull(tokens, name);
        if (tokens.Length < config.NCtx + 1)
            throw new ArgumentException($"{name} must hold at least nCtx + 1 = {config.NCtx + 1} ids; got {tokens.Length}.", name);
        Guard.TokenIds(tokens, config.VocabSize, name);
    }
}
