using System.Text.RegularExpressions;
using LlmNotebooks.Corpora;
using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Training;

/// <summary>
/// A named training experiment whose log a notebook shows (design.md, "The experiment pattern"). Register it in
/// <see cref="ExperimentRegistry.All"/>; <c>experiment &lt;name&gt;</c> runs it into models/experiments/&lt;name&gt;/.
/// </summary>
public interface IExperiment
{
    /// <summary>Lower-case words joined by dashes, e.g. "norm-kinds": the command's argument and the folder's name.</summary>
    string Name { get; }

    /// <summary>What it measures, in one sentence.</summary>
    string Description { get; }

    /// <summary>The base seed (each run's <see cref="TrainingOptions.Seed"/> derives from it).</summary>
    int Seed { get; }

    /// <summary>The declared compute budget in seconds on 2 cores (design.md: about 10 minutes at most).</summary>
    double BudgetSeconds { get; }

    /// <summary>Runs the experiment: every training run, each through <see cref="ExperimentContext.Train"/>.</summary>
    IReadOnlyList<ExperimentRun> Run(ExperimentContext context);
}

/// <summary>An experiment that trains a list of planned runs, one after the other.</summary>
public abstract class TrainingExperiment : IExperiment
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <inheritdoc />
    public virtual int Seed => 1;

    /// <inheritdoc />
    public virtual double BudgetSeconds => 600;

    /// <summary>The runs to train, in order.</summary>
    protected abstract IEnumerable<RunPlan> Plan(ExperimentContext context);

    /// <inheritdoc />
    public IReadOnlyList<ExperimentRun> Run(ExperimentContext context) => [.. Plan(context).Select(context.Train)];
}

/// <summary>One training run of an experiment.</summary>
/// <param name="Name">Unique within the experiment; letters, digits, '.', '_', '-' (it can name a weights folder).</param>
/// <param name="Config">The model.</param>
/// <param name="Options">Optimizer, schedule, batch, seed and EvalEvery.</param>
/// <param name="Train">The training stream.</param>
/// <param name="Evaluations">What to measure every Options.EvalEvery steps (and after the last).</param>
public sealed record RunPlan(string Name, GptConfig Config, TrainingOptions Options, int[] Train, IReadOnlyList<EvaluationPlan> Evaluations)
{
    /// <summary>Keep each step's per-group gradient norms (embeddings, h.0 …, head) in the log.</summary>
    public bool RecordLayerGradNorms { get; init; }

    /// <summary>Save the trained weights as a model folder named after the run, with this tokenizer; null keeps none.</summary>
    public TinyGptTokenizer? SaveWeightsWith { get; init; }

    /// <summary>True (default): a NaN/∞ loss ends the run and the log says it diverged; false: it fails the experiment.</summary>
    public bool StopOnDivergence { get; init; } = true;
}

/// <summary>The shipped model's tokenizer and the corpus split it was trained on, encoded with it.</summary>
/// <param name="Tokenizer">models/tiny-gpt/tokenizer.json.</param>
/// <param name="Train">The 1790–2011 addresses as one stream.</param>
/// <param name="Validation">The 2012–2021 addresses as one stream.</param>
public sealed record ShippedCorpus(TinyGptTokenizer Tokenizer, int[] Train, int[] Validation);

/// <summary>What an experiment gets while it runs: where to write, whether it is shortened, and the training loop.</summary>
public sealed partial class ExperimentContext
{
    private readonly Lazy<ShippedCorpus> _corpus;
    private readonly HashSet<string> _runNames = new(StringComparer.Ordinal);

    internal ExperimentContext(string folder, int? stepLimit, int seed, TextWriter log, string? corpusFolder)
    {
        Folder = folder;
        StepLimit = stepLimit;
        Seed = seed;
        Log = log;
        _corpus = new(() => LoadCorpus(corpusFolder));
    }

    /// <summary>The experiment folder being filled (a temporary folder until the experiment ends).</summary>
    public string Folder { get; }

    /// <summary>Null for a full run; N when each run does only its first N steps (a shortened re-run, <see cref="ExperimentReplay"/>).</summary>
    public int? StepLimit { get; }

    /// <summary>The experiment's base seed.</summary>
    public int Seed { get; }

    /// <summary>Where progress goes.</summary>
    public TextWriter Log { get; }

    /// <summary>The shipped tokenizer and the encoded corpus split (loaded once, on first use).</summary>
    /// <exception cref="DirectoryNotFoundException">models/tiny-gpt or the corpus is missing.</exception>
    public ShippedCorpus Corpus() => _corpus.Value;

    /// <summary>Trains one planned run (its first <see cref="StepLimit"/> steps when shortened) and returns its record.</summary>
    /// <exception cref="ArgumentException">A run name used twice or not folder-safe.</exception>
    /// <exception cref="InvalidDataException">The loss diverged and the plan does not stop on divergence.</exception>
    public ExperimentRun Train(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!RunName().IsMatch(plan.Name)) throw new ArgumentException($"Run names use letters, digits, '.', '_' and '-'; got \"{plan.Name}\".", nameof(plan));
        if (!_runNames.Add(plan.Name)) throw new ArgumentException($"Run \"{plan.Name}\" is planned twice.", nameof(plan));
        var options = plan.Options.Validate();
        int steps = Math.Min(options.Steps, StepLimit ?? int.MaxValue);
        Log.WriteLine(TrainingLoop.Inv($"Run {plan.Name}: {plan.Config.Describe()}, {plan.Config.ParameterCount:N0} parameters; {steps} of {options.Steps} steps"));
        using var trainer = new GptTrainer(plan.Config, options, plan.Train, plan.Evaluations.Count > 0 ? plan.Evaluations[0].Tokens : plan.Train);
        var result = TrainingLoop.Run(trainer, steps, plan.Evaluations, Log, recordLayerGradNorms: plan.RecordLayerGradNorms,
            stopOnDivergence: plan.StopOnDivergence);
        string? weights = null;
        if (plan.SaveWeightsWith is { } tokenizer && StepLimit is null)
        {
            ModelFolder.Save(Path.Combine(Folder, plan.Name), plan.Config, trainer.Model.ExportWeights(), tokenizer);
            weights = plan.Name;
        }
        return new ExperimentRun
        {
            Name = plan.Name, Config = plan.Config, Options = options, ParameterCount = plan.Config.ParameterCount,
            Steps = result.Steps, Evaluations = result.Evaluations, Tokens = result.Tokens, Seconds = Math.Round(result.Seconds, 1),
            Diverged = result.Diverged, Weights = weights,
        };
    }

    /// <summary>≈ 6 · N · tokens of a run (<see cref="TrainingCompute.TrainingFlops"/>).</summary>
    internal static double Flops(ExperimentRun run) => TrainingCompute.TrainingFlops(run.ParameterCount, run.Tokens);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex RunName();

    private static ShippedCorpus LoadCorpus(string? corpusFolder)
    {
        var tokenizer = TinyGptTokenizer.Load(Path.Combine(ModelFolder.Shipped(), ModelFolder.TokenizerFileName));
        var split = SotuCorpus.Split(SotuCorpus.Load(corpusFolder));
        return new ShippedCorpus(tokenizer,
            TokenWindows.Concatenate(split.Train.Select(a => a.Text), tokenizer),
            TokenWindows.Concatenate(split.Validation.Select(a => a.Text), tokenizer));
    }
}

/// <summary>The experiments the <c>experiment</c> command knows, by name. Each question's experiments are added here.</summary>
public static class ExperimentRegistry
{
    /// <summary>Every registered experiment.</summary>
    public static IReadOnlyList<IExperiment> All { get; } = [];

    /// <summary>The experiment called <paramref name="name"/>, or null.</summary>
    public static IExperiment? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
