using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LlmNotebooks.TinyGpt;

/// <summary>Where each block's LayerNorms sit (Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture", arXiv:2002.04745, Fig. 1).</summary>
public enum NormPlacement
{
    /// <summary>Pre-LN (GPT-2): x + Attn(LN₁(x)), then x + MLP(LN₂(x)); a final LayerNorm ln_f before the head.</summary>
    PreLN,

    /// <summary>Post-LN (original Transformer, GPT-1): LN₁(x + Attn(x)), then LN₂(x + MLP(x)); no final LayerNorm.</summary>
    PostLN,
}

/// <summary>How the model knows token positions (the three schemes of question 1).</summary>
public enum PositionalScheme
{
    /// <summary>A learned table wpe [nCtx, dModel] added to the token embeddings (GPT-1/2/3).</summary>
    Learned,

    /// <summary>The fixed sinusoidal table of Vaswani et al. 2017 §3.5 added to the token embeddings (no weights).</summary>
    Sinusoidal,

    /// <summary>Rotary embeddings (Su et al. 2021, RoFormer) applied to q and k in every layer; interleaved pairs, base 10000.</summary>
    Rope,
}

/// <summary>
/// Shape of a decoder-only GPT (Radford et al. 2018/2019; nanoGPT's GPTConfig): nLayer blocks of causal multi-head
/// self-attention (nHead heads of size dModel/nHead) and a 4·dModel GELU MLP, context nCtx tokens, vocabSize tokens.
/// Stored as config.json next to the weights; property names in JSON are the camelCase names below.
/// </summary>
public sealed record TinyGptConfig
{
    /// <summary>Number of Transformer blocks; ≥ 1.</summary>
    public int NLayer { get; init; } = 4;

    /// <summary>Number of attention heads; ≥ 1 and divides dModel; dModel/nHead even when positions are RoPE.</summary>
    public int NHead { get; init; } = 4;

    /// <summary>Model (residual stream) width; ≥ 1.</summary>
    public int DModel { get; init; } = 128;

    /// <summary>Context length: the most positions the model attends over; ≥ 1.</summary>
    public int NCtx { get; init; } = 128;

    /// <summary>Vocabulary size (rows of wte); ≥ 2.</summary>
    public int VocabSize { get; init; } = 4096;

    /// <summary>Pre-LN or Post-LN.</summary>
    public NormPlacement Norm { get; init; } = NormPlacement.PreLN;

    /// <summary>Learned, sinusoidal or rotary positions.</summary>
    public PositionalScheme Positions { get; init; } = PositionalScheme.Learned;

    /// <summary>True: the output head reuses wte (Press and Wolf 2017, arXiv:1608.05859; GPT-2); false: a separate lm_head [vocabSize, dModel].</summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>ε inside every LayerNorm's square root; finite and &gt; 0 (PyTorch's default 1e-5).</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>Width of one attention head: dModel / nHead.</summary>
    [JsonIgnore] public int HeadDim => DModel / NHead;

    /// <summary>Width of the MLP's hidden layer: 4 · dModel (Vaswani et al. 2017 §3.3; GPT-2).</summary>
    [JsonIgnore] public int DMlp => 4 * DModel;

    /// <summary>Checks every field.</summary>
    /// <returns>This config.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range (named in the message).</exception>
    public TinyGptConfig Validate()
    {
        Guard.Positive(NLayer, nameof(NLayer));
        Guard.Positive(NHead, nameof(NHead));
        Guard.Positive(DModel, nameof(DModel));
        Guard.Positive(NCtx, nameof(NCtx));
        if (VocabSize < 2) throw new ArgumentOutOfRangeException(nameof(VocabSize), VocabSize, $"VocabSize must be ≥ 2; got {VocabSize}.");
        if (DModel % NHead != 0)
            throw new ArgumentOutOfRangeException(nameof(NHead), NHead, $"NHead must divide DModel = {DModel}; got {NHead}.");
        if (!Enum.IsDefined(Norm)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "Norm must be PreLN or PostLN.");
        if (!Enum.IsDefined(Positions)) throw new ArgumentOutOfRangeException(nameof(Positions), Positions, "Positions must be Learned, Sinusoidal or Rope.");
        if (Positions == PositionalScheme.Sinusoidal && DModel % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(DModel), DModel, $"DModel must be even for sinusoidal positions; got {DModel}.");
        if (Positions == PositionalScheme.Rope && HeadDim % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(NHead), NHead, $"DModel / NHead must be even for RoPE; got {DModel} / {NHead} = {HeadDim}.");
        Guard.PositiveFinite(LayerNormEpsilon, nameof(LayerNormEpsilon));
        return this;
    }

    /// <summary>
    /// Every weight tensor this config implies, by GPT-2 / nanoGPT name, in model order. Linear weights are stored
    /// [out, in] (PyTorch nn.Linear, nanoGPT), not GPT-2's Conv1D [in, out]. c_attn's rows are q, k, v, each dModel
    /// rows with the heads side by side.
    /// </summary>
    /// <returns>(name, shape) pairs: wte [vocabSize, dModel]; wpe [nCtx, dModel] (learned positions only); per block N:
    /// h.N.ln_1.{weight,bias} [dModel], h.N.attn.c_attn.weight [3·dModel, dModel], .bias [3·dModel],
    /// h.N.attn.c_proj.weight [dModel, dModel], .bias [dModel], h.N.ln_2.{weight,bias} [dModel],
    /// h.N.mlp.c_fc.weight [4·dModel, dModel], .bias [4·dModel], h.N.mlp.c_proj.weight [dModel, 4·dModel], .bias [dModel];
    /// ln_f.{weight,bias} [dModel] (Pre-LN only); lm_head.weight [vocabSize, dModel] (untied only).</returns>
    public IReadOnlyList<(string Name, int[] Shape)> ParameterShapes()
    {
        Validate();
        int d = DModel;
        var list = new List<(string, int[])> { ("wte.weight", [VocabSize, d]) };
        if (Positions == PositionalScheme.Learned) list.Add(("wpe.weight", [NCtx, d]));
        for (int i = 0; i < NLayer; i++)
        {
            string p = $"h.{i}.";
            list.Add((p + "ln_1.weight", [d]));
            list.Add((p + "ln_1.bias", [d]));
            list.Add((p + "attn.c_attn.weight", [3 * d, d]));
            list.Add((p + "attn.c_attn.bias", [3 * d]));
            list.Add((p + "attn.c_proj.weight", [d, d]));
            list.Add((p + "attn.c_proj.bias", [d]));
            list.Add((p + "ln_2.weight", [d]));
            list.Add((p + "ln_2.bias", [d]));
            list.Add((p + "mlp.c_fc.weight", [4 * d, d]));
            list.Add((p + "mlp.c_fc.bias", [4 * d]));
            list.Add((p + "mlp.c_proj.weight", [d, 4 * d]));
            list.Add((p + "mlp.c_proj.bias", [d]));
        }
        if (Norm == NormPlacement.PreLN)
        {
            list.Add(("ln_f.weight", [d]));
            list.Add(("ln_f.bias", [d]));
        }
        if (!TiedEmbeddings) list.Add(("lm_head.weight", [VocabSize, d]));
        return list;
    }

    /// <summary>Number of trainable parameters (tied embeddings counted once).</summary>
    [JsonIgnore] public long ParameterCount => ParameterShapes().Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The config as indented JSON, e.g. {"nLayer": 4, …, "norm": "PreLN", "positions": "Learned", …}.</summary>
    public string ToJson() => JsonSerializer.Serialize(Validate(), JsonOptions);

    /// <summary>Parses and validates JSON written by <see cref="ToJson"/>; every field is required.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, a field missing, unknown or out of range.</exception>
    public static TinyGptConfig FromJson(string json, string source = "<json>")
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"Invalid model config {source}: not a JSON object.");
            foreach (var field in new[] { "nLayer", "nHead", "dModel", "nCtx", "vocabSize", "norm", "positions", "tiedEmbeddings", "layerNormEpsilon" })
                if (!node.ContainsKey(field)) throw new InvalidDataException($"Invalid model config {source}: field \"{field}\" is missing.");
            return JsonSerializer.Deserialize<TinyGptConfig>(json, JsonOptions)!.Validate();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid model config {source}: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"Invalid model config {source}: {e.Message}", e);
        }
    }

    /// <summary>Reads config.json.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">See <see cref="FromJson"/>.</exception>
    public static TinyGptConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model config not found: {path}", path);
        return FromJson(File.ReadAllText(path), path);
    }
}
