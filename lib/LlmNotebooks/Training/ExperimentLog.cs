using System.Text.Json;
using System.Text.Json.Serialization;
using LlmNotebooks.Gpt;
using LlmNotebooks.IO;

namespace LlmNotebooks.Training;

/// <summary>A measurement during or after a run.</summary>
/// <param name="Step">Optimizer steps done when measured (0: at initialization).</param>
/// <param name="Metric">What was measured, e.g. "validation" (mean cross-entropy, nats per token).</param>
/// <param name="Windows">Evaluation windows (or examples) used.</param>
/// <param name="Value">The measurement.</param>
public sealed record Evaluation(int Step, string Metric, int Windows, double Value);

/// <summary>What an experiment cost, measured, against the limit it declares.</summary>
/// <param name="LimitSeconds">The experiment's declared budget (design.md: about 10 minutes on 2 cores).</param>
/// <param name="Seconds">Measured wall time of the whole experiment.</param>
/// <param name="Tokens">Training tokens processed, all runs.</param>
/// <param name="TrainingFlops">≈ 6 · N · tokens summed over runs (Kaplan et al. 2020 §2.1; attention ignored).</param>
public sealed record ComputeBudget(double LimitSeconds, double Seconds, long Tokens, double TrainingFlops);

/// <summary>One training run of an experiment: its config, its settings and what happened.</summary>
public sealed record ExperimentRun
{
    /// <summary>The run's name within the experiment, e.g. "RMSNorm".</summary>
    public required string Name { get; init; }

    /// <summary>The model trained.</summary>
    public required GptConfig Config { get; init; }

    /// <summary>Optimizer, schedule, batch and seed.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>Trainable parameters of <see cref="Config"/>.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Every step done, in order (fewer than Options.Steps when shortened or diverged).</summary>
    public required IReadOnlyList<TrainingStep> Steps { get; init; }

    /// <summary>Every measurement, in step order.</summary>
    public required IReadOnlyList<Evaluation> Evaluations { get; init; }

    /// <summary>Training tokens processed.</summary>
    public required long Tokens { get; init; }

    /// <summary>Wall time of the run, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>True when a loss became NaN or ±∞ and the run stopped there.</summary>
    public bool Diverged { get; init; }

    /// <summary>The model folder of the trained weights, relative to the experiment folder; null when none were kept.</summary>
    public string? Weights { get; init; }

    /// <summary>The measurements of one metric, in step order.</summary>
    public IReadOnlyList<Evaluation> Metric(string metric) => Evaluations.Where(e => e.Metric == metric).ToList();
}

/// <summary>
/// The typed log an experiment writes to models/experiments/&lt;name&gt;/log.json (design.md, "The experiment pattern"): what
/// ran (command, seed, threads, configs), on what (machine, load, software), what it cost, and every run's per-step losses
/// and measurements. Notebooks read it with <see cref="Load"/> and plot it; the training project writes it.
/// </summary>
public sealed record ExperimentLog
{
    /// <summary>The file name inside an experiment folder.</summary>
    public const string FileName = "log.json";

    /// <summary>The format this version reads and writes.</summary>
    public const string CurrentFormat = "llmnotebooks-experiment/1";

    /// <summary>Always <see cref="CurrentFormat"/>.</summary>
    public required string Format { get; init; }

    /// <summary>The experiment's registered name, e.g. "norm-kinds".</summary>
    public required string Name { get; init; }

    /// <summary>What it measures, in one sentence.</summary>
    public required string Description { get; init; }

    /// <summary>The command that wrote this log.</summary>
    public required string Command { get; init; }

    /// <summary>The experiment's base seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Torch intra-op threads (the same seed and thread count give the same numbers).</summary>
    public required int Threads { get; init; }

    /// <summary>Null for a full run; N when each run stopped after its first N steps (a shortened re-run).</summary>
    public int? StepLimit { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>The 1-minute load average when it started (/proc/loadavg; machines are shared), or null where unknown.</summary>
    public double? LoadAverage { get; init; }

    /// <summary>Operating system, architecture and logical cores.</summary>
    public required string Machine { get; init; }

    /// <summary>Training software, e.g. "TorchSharp 0.107.0, LibTorch 2.10.0 (CPU), .NET 10.0.1".</summary>
    public required string Software { get; init; }

    /// <summary>What it cost.</summary>
    public required ComputeBudget Compute { get; init; }

    /// <summary>The runs, in the order they ran.</summary>
    public required IReadOnlyList<ExperimentRun> Runs { get; init; }

    /// <summary>The run called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such run; the message lists the runs.</exception>
    public ExperimentRun this[string name] => Runs.FirstOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"Experiment {Name} has no run \"{name}\"; its runs: {string.Join(", ", Runs.Select(r => r.Name))}.");

    private static JsonSerializerOptions JsonOptions => JsonFiles.Options;

    /// <summary>The log as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a log; every field is checked (configs validated, format known).</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, a field missing, unknown or of the wrong type, another format, or an invalid config.</exception>
    public static ExperimentLog FromJson(string json, string source = "<json>")
    {
        try
        {
            var log = JsonSerializer.Deserialize<ExperimentLog>(json, JsonOptions) ?? throw new InvalidDataException($"Invalid experiment log {source}: null.");
            if (log.Format != CurrentFormat)
                throw new InvalidDataException($"Invalid experiment log {source}: format \"{log.Format}\", expected \"{CurrentFormat}\".");
            foreach (var run in log.Runs)
            {
                run.Config.Validate();
                run.Options.Validate();
            }
            return log;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"Invalid experiment log {source}: {e.Message}", e);
        }
    }

    /// <summary>Reads an experiment folder's log.json (or the file itself).</summary>
    /// <param name="path">The folder, e.g. "../models/experiments/norm-kinds", or the log file.</param>
    /// <exception cref="FileNotFoundException">No log there.</exception>
    /// <exception cref="InvalidDataException">See <see cref="FromJson"/>.</exception>
    public static ExperimentLog Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"Experiment log not found: {Path.GetFullPath(file)}", file);
        return FromJson(File.ReadAllText(file), file);
    }

    /// <summary>Writes the log atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
