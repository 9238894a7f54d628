using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmNotebooks.IO;

namespace LlmNotebooks.Gpt;

// config.json: reading, writing and the earlier format. Kept apart from the shape itself (GptConfig.cs).
public sealed partial record GptConfig
{
    private static JsonSerializerOptions JsonOptions => JsonFiles.Options;

    // NKvHead and DHead default to values derived from other fields; config.json holds them only when they were set.
    [JsonInclude, JsonPropertyName("nKvHead"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private int? NKvHeadJson { get => _nKvHead; init => _nKvHead = value; }

    [JsonInclude, JsonPropertyName("dHead"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private int? DHeadJson { get => _dHead; init => _dHead = value; }

    // Every field ToJson writes, except the optional name and source.
    private static readonly string[] RequiredFields =
        ["nLayer", "nHead", "dModel", "nCtx", "vocabSize", "dFf", "placement", "norm", "finalNorm", "positions", "tiedEmbeddings", "bias", "normEpsilon"];

    // The format before norm kinds (2026-11, e.g. the shipped models/tiny-gpt): "norm" was the placement, every norm a LayerNorm.
    private static readonly string[] EarlierFields =
        ["nLayer", "nHead", "dModel", "nCtx", "vocabSize", "norm", "positions", "tiedEmbeddings", "layerNormEpsilon"];

    /// <summary>The config as indented JSON: {"name": …, "nLayer": 4, …, "placement": "PreLN", "norm": "LayerNorm", …}.
    /// The fields of grouped-query attention, experts, sinks and sliding windows (nKvHead, dHead, mlp, nExpert, …) are
    /// written only when set, so a GPT-2-family config reads as before and may omit them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    public string ToJson() => JsonSerializer.Serialize(Validate(), JsonOptions);

    /// <summary>Parses and validates config.json: the format <see cref="ToJson"/> writes (every field but name and source
    /// required), or the earlier one without "placement" (docs/design.md, "config.json").</summary>
    /// <param name="json">The text.</param>
    /// <param name="source">Name used in error messages (e.g. the path).</param>
    /// <exception cref="InvalidDataException">Not valid JSON, a field missing, unknown or out of range.</exception>
    public static GptConfig FromJson(string json, string source = "<json>")
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"Invalid model config {source}: not a JSON object.");
            if (!node.ContainsKey("placement")) node = FromEarlierFormat(node, source);
            foreach (var field in RequiredFields)
                if (!node.ContainsKey(field)) throw new InvalidDataException($"Invalid model config {source}: field \"{field}\" is missing.");
            return node.Deserialize<GptConfig>(JsonOptions)!.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Invalid model config {source}: {e.Message}", e);
        }
    }

    /// <summary>Reads config.json.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">See <see cref="FromJson"/>.</exception>
    public static GptConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model config not found: {path}", path);
        return FromJson(File.ReadAllText(path), path);
    }

    private static JsonObject FromEarlierFormat(JsonObject old, string source)
    {
        foreach (var field in EarlierFields)
            if (!old.ContainsKey(field)) throw new InvalidDataException($"Invalid model config {source}: field \"{field}\" is missing.");
        var extra = old.Select(kv => kv.Key).Except(EarlierFields).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"Invalid model config {source}: unknown field \"{extra[0]}\".");
        var placement = old["norm"]!.GetValue<string>();
        return new JsonObject
        {
            ["nLayer"] = old["nLayer"]!.DeepClone(),
            ["nHead"] = old["nHead"]!.DeepClone(),
            ["dModel"] = old["dModel"]!.DeepClone(),
            ["nCtx"] = old["nCtx"]!.DeepClone(),
            ["vocabSize"] = old["vocabSize"]!.DeepClone(),
            ["dFf"] = 4 * old["dModel"]!.GetValue<int>(),
            ["placement"] = placement,
            ["norm"] = nameof(NormKind.LayerNorm),
            ["finalNorm"] = placement == nameof(NormPlacement.PreLN),
            ["positions"] = old["positions"]!.DeepClone(),
            ["tiedEmbeddings"] = old["tiedEmbeddings"]!.DeepClone(),
            ["bias"] = true,
            ["normEpsilon"] = old["layerNormEpsilon"]!.DeepClone(),
        };
    }
}
