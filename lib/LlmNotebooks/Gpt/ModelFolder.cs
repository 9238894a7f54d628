using LlmNotebooks.IO;
using LlmNotebooks.Training;

namespace LlmNotebooks.Gpt;

/// <summary>
/// A model folder on disk, as the training tool writes it: config.json (<see cref="GptConfig"/>), model.safetensors (float32,
/// GPT-2 names, linear weights [out, in]), tokenizer.json (<see cref="TinyGptTokenizer"/>) and optional training.json
/// (<see cref="TrainingRecord"/>). Loading checks every tensor's name, shape and values against the config.
/// </summary>
public static class ModelFolder
{
    /// <summary>File name of the config in a model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>File name of the weights in a model folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>File name of the tokenizer in a model folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>File name of the optional training record in a model folder.</summary>
    public const string TrainingFileName = "training.json";

    /// <summary>Loads a model folder: config.json, model.safetensors (F32, F16 or BF16 tensors), tokenizer.json and, if present, training.json.</summary>
    /// <param name="folder">The folder, e.g. "../models/tiny-gpt".</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or truncated, a tensor is missing, unexpected, shaped
    /// differently from the config or not finite, or the tokenizer's size differs from vocabSize.</exception>
    public static GptModel Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder not found: {Path.GetFullPath(folder)}");
        var config = GptConfig.Load(Path.Combine(folder, ConfigFileName));
        var tokenizer = TinyGptTokenizer.Load(Path.Combine(folder, TokenizerFileName));
        var weights = SafetensorsFile.Read(Path.Combine(folder, WeightsFileName));
        var trainingPath = Path.Combine(folder, TrainingFileName);
        var training = File.Exists(trainingPath) ? TrainingRecord.Load(trainingPath) : null;
        return GptModel.FromSafetensors(config, weights, tokenizer, training);
    }

    /// <summary>
    /// Writes a model folder atomically: the files are written into a temporary sibling folder, which then replaces
    /// <paramref name="folder"/> (docs/design.md, "Atomic writes"). A failure leaves the previous folder untouched.
    /// </summary>
    /// <param name="folder">Destination folder (created or replaced); its parent must exist.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="weights">Every tensor of <see cref="GptConfig.Tensors"/>, by name, row-major float32.</param>
    /// <param name="tokenizer">The tokenizer; its size must equal vocabSize.</param>
    /// <param name="training">Optional training record.</param>
    /// <exception cref="InvalidDataException">Weights or tokenizer that do not match the config.</exception>
    /// <exception cref="DirectoryNotFoundException">The parent folder does not exist.</exception>
    public static void Save(string folder, GptConfig config, IReadOnlyDictionary<string, float[]> weights, TinyGptTokenizer tokenizer,
        TrainingRecord? training = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var model = GptModel.FromWeights(config, weights, tokenizer); // validates
        AtomicFile.ReplaceFolder(folder, tmp =>
        {
            File.WriteAllText(Path.Combine(tmp, ConfigFileName), config.ToJson() + "\n");
            var entries = config.Tensors().Select(t => new SafetensorsEntry(t.Name, [.. t.Shape], model.Weights[t.Name].Array));
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "LlmNotebooks.Gpt" };
            SafetensorsFile.Write(Path.Combine(tmp, WeightsFileName), entries, metadata);
            tokenizer.Save(Path.Combine(tmp, TokenizerFileName));
            training?.Save(Path.Combine(tmp, TrainingFileName));
        });
    }

    /// <summary>The shipped models/tiny-gpt folder, found by walking up from the current folder and from the library's folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No models/tiny-gpt above either.</exception>
    public static string Shipped() => Find(Path.Combine("models", "tiny-gpt"));

    /// <summary>A folder given relative to the repository root (e.g. "models/experiments/x"), found by walking up from
    /// the current folder and from the library's folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder above either.</exception>
    public static string Find(string relativePath)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException($"{relativePath} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}.");
    }
}

// Tensors checked against a config: names, shapes, element types, finite values.
internal static class Checkpoint
{
    public static Dictionary<string, GptWeight> FromSafetensors(GptConfig config, SafetensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var expected = config.Tensors();
        var weights = new Dictionary<string, GptWeight>(StringComparer.Ordinal);
        foreach (var tensor in expected)
        {
            if (!file.TryGetTensor(tensor.Name, out var t))
                throw new InvalidDataException($"Weight '{tensor.Name}' (shape {tensor.ShapeText}) is missing from the safetensors file.");
            if (!t.Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
                throw new InvalidDataException($"Weight '{tensor.Name}' has shape [{string.Join(", ", t.Shape)}] but the config ({config.Describe()}) needs {tensor.ShapeText}.");
            float[] values;
            try
            {
                values = t.ToFloat32();
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            weights[tensor.Name] = new GptWeight(tensor.Name, [.. tensor.Shape], CheckFinite(tensor.Name, values));
        }
        var extra = file.Tensors.Select(t => t.Name).Where(n => !weights.ContainsKey(n)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"The safetensors file holds tensors the config ({config.Describe()}) does not use: {string.Join(", ", extra)}.");
        return weights;
    }

    public static Dictionary<string, GptWeight> FromArrays(GptConfig config, IReadOnlyDictionary<string, float[]> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var weights = new Dictionary<string, GptWeight>(StringComparer.Ordinal);
        foreach (var tensor in config.Tensors())
        {
            if (!arrays.TryGetValue(tensor.Name, out var values)) throw new InvalidDataException($"Weight '{tensor.Name}' is missing.");
            if (values.Length != tensor.Count)
                throw new InvalidDataException($"Weight '{tensor.Name}' has {values.Length} values but shape {tensor.ShapeText} needs {tensor.Count}.");
            weights[tensor.Name] = new GptWeight(tensor.Name, [.. tensor.Shape], CheckFinite(tensor.Name, (float[])values.Clone()));
        }
        var extra = arrays.Keys.Where(n => !weights.ContainsKey(n)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"Weights the config ({config.Describe()}) does not use: {string.Join(", ", extra)}.");
        return weights;
    }

    public static void CheckTokenizer(GptConfig config, TinyGptTokenizer? tokenizer)
    {
        if (tokenizer is not null && tokenizer.VocabSize != config.VocabSize)
            throw new InvalidDataException($"The tokenizer has {tokenizer.VocabSize} tokens but the config says vocabSize = {config.VocabSize}.");
    }

    private static float[] CheckFinite(string name, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new InvalidDataException($"Weight '{name}' holds a non-finite value at index {i}: {values[i]}.");
        return values;
    }
}
