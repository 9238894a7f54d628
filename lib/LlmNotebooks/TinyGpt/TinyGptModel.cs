using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using System.Text.Json;
using LlmNotebooks.IO;
using LlmNotebooks.Numerics;
using LlmNotebooks.PositionalEncoding;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.TinyGpt;

/// <summary>One row of a next-token table.</summary>
/// <param name="Rank">1 for the most probable token.</param>
/// <param name="Id">Token id.</param>
/// <param name="Token">The token's readable text, e.g. " nation".</param>
/// <param name="Logit">Raw logit z_i.</param>
/// <param name="Probability">softmax(z)_i, computed over the whole vocabulary.</param>
public sealed record NextTokenRow(int Rank, int Id, string Token, float Logit, double Probability);

/// <summary>The result of <see cref="TinyGptModel.Generate(string, int, NextTokenSelector?, int, bool)"/>.</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Completion">The generated text only (without the prompt).</param>
/// <param name="PromptIds">Token ids fed to the model, [&lt;|endoftext|&gt;] + Encode(prompt).</param>
/// <param name="GeneratedIds">Token ids chosen by the selector, in order.</param>
public sealed record TinyGptGeneration(string Prompt, string Completion, IReadOnlyList<int> PromptIds, IReadOnlyList<int> GeneratedIds)
{
    /// <summary>Prompt followed by completion.</summary>
    public string Text => Prompt + Completion;

    /// <summary>The full text.</summary>
    public override string ToString() => Text;
}

/// <summary>Hidden states recorded by <see cref="TinyGptModel.Trace"/>; every matrix is [seqLen, dModel] unless noted.</summary>
/// <param name="Embeddings">Token embeddings plus learned or sinusoidal positions (the residual stream entering h.0).</param>
/// <param name="BlockOutputs">The residual stream after each block h.0 … h.(nLayer−1).</param>
/// <param name="Ln1Outputs">Output of each block's ln_1 (for Post-LN: ln_1(x + attn(x))).</param>
/// <param name="Ln2Outputs">Output of each block's ln_2 (for Post-LN: equals the block output).</param>
/// <param name="FinalNorm">Output of ln_f (Pre-LN), or null (Post-LN has no final LayerNorm).</param>
/// <param name="Logits">Next-token logits, [seqLen, vocabSize].</param>
public sealed record TinyGptTrace(float[,] Embeddings, IReadOnlyList<float[,]> BlockOutputs, IReadOnlyList<float[,]> Ln1Outputs,
    IReadOnlyList<float[,]> Ln2Outputs, float[,]? FinalNorm, float[,] Logits);

/// <summary>
/// A small decoder-only GPT run in plain C# (no TorchSharp): GPT-2's architecture (Radford et al. 2019; nanoGPT's
/// model.py) with Pre-LN or Post-LN blocks, learned / sinusoidal / rotary positions and tied embeddings, in float32
/// with System.Numerics.Tensors SIMD kernels and a KV cache (one token at a time). Loads the folder the training tool
/// writes: config.json, model.safetensors, tokenizer.json. String prompts are read as the start of an address:
/// the ids fed are [&lt;|endoftext|&gt;] + Encode(prompt), as in training.
/// </summary>
public sealed class TinyGptModel
{
    /// <summary>File name of the config in a model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>File name of the weights in a model folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>File name of the tokenizer in a model folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>File name of the optional training record (command, timings, perplexities) in a model folder.</summary>
    public const string TrainingFileName = "training.json";

    private readonly Dictionary<string, TinyGptWeight> _weights;
    internal readonly float[] Wte;
    internal readonly float[]? Wpe;     // learned [nCtx, d] or sinusoidal table [nCtx, d]
    internal readonly float[] Head;     // [vocab, d]: wte (tied) or lm_head
    internal readonly float[]? LnFW, LnFB;
    internal readonly Layer[] Layers;
    internal readonly RotaryEmbedding? Rope;

    internal sealed record Layer(float[] Ln1W, float[] Ln1B, float[] AttnW, float[] AttnB, float[] AttnProjW, float[] AttnProjB,
        float[] Ln2W, float[] Ln2B, float[] FcW, float[] FcB, float[] MlpProjW, float[] MlpProjB);

    private TinyGptModel(TinyGptConfig config, Dictionary<string, TinyGptWeight> weights, TinyGptTokenizer? tokenizer, JsonObject? training)
    {
        Config = config;
        Tokenizer = tokenizer;
        TrainingRecord = training;
        _weights = weights;
        float[] W(string name) => weights[name].Array;
        Wte = W("wte.weight");
        if (config.Positions == PositionalScheme.Learned) Wpe = W("wpe.weight");
        if (config.Positions == PositionalScheme.Sinusoidal)
        {
            var table = SinusoidalPositionalEncoding.Table(config.NCtx, config.DModel);
            Wpe = new float[table.Length];
            Buffer.BlockCopy(table, 0, Wpe, 0, Wpe.Length * sizeof(float));
        }
        if (config.Positions == PositionalScheme.Rope) Rope = new RotaryEmbedding(config.HeadDim, config.NCtx);
        Head = config.TiedEmbeddings ? Wte : W("lm_head.weight");
        if (config.Norm == NormPlacement.PreLN)
        {
            LnFW = W("ln_f.weight");
            LnFB = W("ln_f.bias");
        }
        Layers = new Layer[config.NLayer];
        for (int i = 0; i < config.NLayer; i++)
        {
            string p = $"h.{i}.";
            Layers[i] = new Layer(W(p + "ln_1.weight"), W(p + "ln_1.bias"), W(p + "attn.c_attn.weight"), W(p + "attn.c_attn.bias"),
                W(p + "attn.c_proj.weight"), W(p + "attn.c_proj.bias"), W(p + "ln_2.weight"), W(p + "ln_2.bias"),
                W(p + "mlp.c_fc.weight"), W(p + "mlp.c_fc.bias"), W(p + "mlp.c_proj.weight"), W(p + "mlp.c_proj.bias"));
        }
    }

    /// <summary>The model's shape.</summary>
    public TinyGptConfig Config { get; }

    /// <summary>The tokenizer, or null for a model built from weights alone (then only the id-based methods work).</summary>
    public TinyGptTokenizer? Tokenizer { get; }

    /// <summary>The folder's training.json (command, seed, timings, perplexities), or null when absent.</summary>
    public JsonObject? TrainingRecord { get; }

    /// <summary>Every weight by GPT-2 / nanoGPT name (see <see cref="TinyGptConfig.ParameterShapes"/>), read-only.</summary>
    public IReadOnlyDictionary<string, TinyGptWeight> Weights => _weights;

    /// <summary>Number of parameters (tied embeddings counted once).</summary>
    public long ParameterCount => _weights.Values.Sum(w => (long)w.Length);

    /// <summary>
    /// Loads a model folder: config.json, model.safetensors (F32, F16 or BF16 tensors), tokenizer.json and, if present,
    /// training.json.
    /// </summary>
    /// <param name="folder">The folder, e.g. "../models/tiny-gpt".</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or truncated, a tensor is missing, unexpected or shaped
    /// differently from the config, or the tokenizer's size differs from vocabSize.</exception>
    public static TinyGptModel Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Model folder not found: {Path.GetFullPath(folder)}");
        var config = TinyGptConfig.Load(Path.Combine(folder, ConfigFileName));
        var tokenizer = TinyGptTokenizer.Load(Path.Combine(folder, TokenizerFileName));
        var weights = SafetensorsFile.Read(Path.Combine(folder, WeightsFileName));
        JsonObject? training = null;
        var trainingPath = Path.Combine(folder, TrainingFileName);
        if (File.Exists(trainingPath))
        {
            try
            {
                training = JsonNode.Parse(File.ReadAllText(trainingPath)) as JsonObject
                    ?? throw new InvalidDataException($"Invalid training record {trainingPath}: not a JSON object.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"Invalid training record {trainingPath}: {e.Message}", e);
            }
        }
        return FromSafetensors(config, weights, tokenizer, training);
    }

    /// <summary>Builds a model from a parsed safetensors file, checking every tensor's name and exact shape against the config.</summary>
    /// <exception cref="InvalidDataException">A tensor missing, unexpected, of an integer dtype, or shaped differently from the config;
    /// a tokenizer whose size differs from vocabSize.</exception>
    public static TinyGptModel FromSafetensors(TinyGptConfig config, SafetensorsFile file, TinyGptTokenizer? tokenizer = null, JsonObject? training = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        config.Validate();
        var weights = new Dictionary<string, TinyGptWeight>(StringComparer.Ordinal);
        foreach (var (name, shape) in config.ParameterShapes())
        {
            if (!file.TryGetTensor(name, out var t))
                throw new InvalidDataException($"Weight '{name}' (shape [{string.Join(", ", shape)}]) is missing from the safetensors file.");
            if (!t.Shape.SequenceEqual(shape.Select(d => (long)d)))
                throw new InvalidDataException($"Weight '{name}' has shape [{string.Join(", ", t.Shape)}] but the config (nLayer {config.NLayer}, " +
                    $"nHead {config.NHead}, dModel {config.DModel}, nCtx {config.NCtx}, vocabSize {config.VocabSize}) needs [{string.Join(", ", shape)}].");
            float[] values;
            try
            {
                values = t.ToFloat32();
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            weights[name] = new TinyGptWeight(name, shape, CheckFinite(name, values));
        }
        var extra = file.Tensors.Select(t => t.Name).Where(n => !weights.ContainsKey(n)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"The safetensors file holds tensors the config does not use: {string.Join(", ", extra)} " +
                $"(norm {config.Norm}, positions {config.Positions}, tiedEmbeddings {config.TiedEmbeddings}).");
        CheckTokenizer(config, tokenizer);
        return new TinyGptModel(config, weights, tokenizer, training);
    }

    /// <summary>Builds a model from GPT-2-named float32 arrays (row-major), e.g. weights exported from TorchSharp.</summary>
    /// <exception cref="InvalidDataException">A weight missing, unexpected, of the wrong length or holding NaN/Inf; a tokenizer
    /// whose size differs from vocabSize.</exception>
    public static TinyGptModel FromWeights(TinyGptConfig config, IReadOnlyDictionary<string, float[]> weights, TinyGptTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        config.Validate();
        var result = new Dictionary<string, TinyGptWeight>(StringComparer.Ordinal);
        foreach (var (name, shape) in config.ParameterShapes())
        {
            if (!weights.TryGetValue(name, out var values)) throw new InvalidDataException($"Weight '{name}' is missing.");
            int count = shape.Aggregate(1, (a, b) => a * b);
            if (values.Length != count)
                throw new InvalidDataException($"Weight '{name}' has {values.Length} values but shape [{string.Join(", ", shape)}] needs {count}.");
            result[name] = new TinyGptWeight(name, shape, CheckFinite(name, (float[])values.Clone()));
        }
        var extra = weights.Keys.Where(n => !result.ContainsKey(n)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"Weights the config does not use: {string.Join(", ", extra)}.");
        CheckTokenizer(config, tokenizer);
        return new TinyGptModel(config, result, tokenizer, null);
    }

    /// <summary>A copy of this model with some weights replaced (e.g. quantized then dequantized), same shapes.</summary>
    /// <param name="replacements">GPT-2 name → new values (same length as the original).</param>
    /// <exception cref="InvalidDataException">An unknown name, a wrong length or a NaN/Inf value.</exception>
    public TinyGptModel WithWeights(IReadOnlyDictionary<string, float[]> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var all = _weights.ToDictionary(kv => kv.Key, kv => kv.Value.Array, StringComparer.Ordinal);
        foreach (var (name, values) in replacements)
        {
            if (!all.ContainsKey(name)) throw new InvalidDataException($"The model has no weight named '{name}'.");
            all[name] = values;
        }
        var model = FromWeights(Config, all, Tokenizer);
        return new TinyGptModel(Config, model._weights, Tokenizer, TrainingRecord);
    }

    /// <summary>
    /// Writes a model folder atomically: config.json, model.safetensors (F32), tokenizer.json and optional training.json
    /// are written into a temporary sibling folder, which then replaces <paramref name="folder"/> (two renames: old aside,
    /// new in). A failure while writing leaves the previous folder untouched and no temporary folder behind.
    /// </summary>
    /// <param name="folder">Destination folder (created or replaced); its parent must exist.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="weights">GPT-2-named float32 arrays; checked against the config as in <see cref="FromWeights"/>.</param>
    /// <param name="tokenizer">The tokenizer; its size must equal vocabSize.</param>
    /// <param name="training">Optional training record.</param>
    /// <exception cref="InvalidDataException">Weights or tokenizer that do not match the config.</exception>
    /// <exception cref="DirectoryNotFoundException">The parent folder does not exist.</exception>
    public static void Save(string folder, TinyGptConfig config, IReadOnlyDictionary<string, float[]> weights, TinyGptTokenizer tokenizer,
        JsonObject? training = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var model = FromWeights(config, weights, tokenizer); // validates
        AtomicFile.ReplaceFolder(folder, tmp =>
        {
            File.WriteAllText(Path.Combine(tmp, ConfigFileName), config.ToJson() + "\n");
            var entries = config.ParameterShapes().Select(p => new SafetensorsEntry(p.Name, p.Shape, model._weights[p.Name].Array));
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "LlmNotebooks.TinyGpt" };
            SafetensorsFile.Write(Path.Combine(tmp, WeightsFileName), entries, metadata);
            tokenizer.Save(Path.Combine(tmp, TokenizerFileName));
            if (training is not null)
                File.WriteAllText(Path.Combine(tmp, TrainingFileName), training.ToJsonString(new JsonSerializerOptions
                    { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        });
    }

    /// <summary>A KV-cache session for feeding tokens one at a time (batch 1).</summary>
    public TinyGptSession CreateSession() => new(this);

    /// <summary>Token ids for a prompt: [&lt;|endoftext|&gt;] + Encode(prompt).</summary>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return [TinyGptTokenizer.EndOfTextId, .. RequireTokenizer().Encode(prompt)];
    }

    /// <summary>Next-token logits at every position.</summary>
    /// <param name="ids">Token ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <returns>Shape [ids.Length, vocabSize]: row t holds the logits for the token after ids[t].</returns>
    /// <exception cref="ArgumentException">Empty, longer than nCtx, or an id outside [0, vocabSize).</exception>
    public float[,] Logits(ReadOnlySpan<int> ids)
    {
        CheckIds(ids);
        var session = CreateSession();
        var logits = new float[ids.Length, Config.VocabSize];
        var row = new float[Config.VocabSize];
        for (int t = 0; t < ids.Length; t++)
        {
            session.Append(ids[t], row);
            Buffer.BlockCopy(row, 0, logits, t * row.Length * sizeof(float), row.Length * sizeof(float));
        }
        return logits;
    }

    /// <summary>Logits for the token after the last id.</summary>
    /// <param name="ids">Token ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <returns>Shape [vocabSize].</returns>
    /// <exception cref="ArgumentException">Empty, longer than nCtx, or an id outside [0, vocabSize).</exception>
    public float[] NextTokenLogits(ReadOnlySpan<int> ids)
    {
        CheckIds(ids);
        var session = CreateSession();
        for (int t = 0; t < ids.Length - 1; t++) session.Append(ids[t], Span<float>.Empty);
        var logits = new float[Config.VocabSize];
        session.Append(ids[^1], logits);
        return logits;
    }

    /// <summary>Logits for the token after a prompt (fed as [&lt;|endoftext|&gt;] + Encode(prompt)).</summary>
    /// <returns>Shape [vocabSize].</returns>
    /// <exception cref="ArgumentException">The prompt needs more than nCtx tokens.</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public float[] NextTokenLogits(string prompt) => NextTokenLogits(EncodePrompt(prompt));

    /// <summary>Next-token probabilities softmax(z) after a prompt; they sum to 1.</summary>
    /// <returns>Shape [vocabSize].</returns>
    /// <exception cref="ArgumentException">The prompt needs more than nCtx tokens.</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public double[] NextTokenProbabilities(string prompt) => Softmax.Probabilities(NextTokenLogits(prompt));

    /// <summary>The <paramref name="top"/> most probable next tokens after a prompt, most probable first.</summary>
    /// <param name="prompt">The prompt, read as the start of an address.</param>
    /// <param name="top">Rows to return; in [1, vocabSize].</param>
    /// <exception cref="ArgumentOutOfRangeException">top outside [1, vocabSize].</exception>
    /// <exception cref="ArgumentException">The prompt needs more than nCtx tokens.</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public IReadOnlyList<NextTokenRow> NextTokenTable(string prompt, int top = 10)
    {
        if (top < 1 || top > Config.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(top), top, $"top must lie in [1, {Config.VocabSize}]; got {top}.");
        var logits = NextTokenLogits(prompt);
        var p = Softmax.Probabilities(logits);
        var tokenizer = RequireTokenizer();
        return Enumerable.Range(0, logits.Length)
            .OrderByDescending(i => logits[i]).ThenBy(i => i)
            .Take(top)
            .Select((id, rank) => new NextTokenRow(rank + 1, id, tokenizer.TokenText(id), logits[id], p[id]))
            .ToList();
    }

    /// <summary>
    /// Generates up to <paramref name="maxNewTokens"/> tokens after a prompt: at each step the selector picks the next id
    /// from the logits (the model is autoregressive, Radford et al. 2018 eq. 1), fed one token at a time through the KV cache.
    /// Crop past nCtx: when a new token would be the (nCtx+1)-th in the cache, the cache is reset and the last max(1, nCtx/2)
    /// tokens (the new one included) are re-read; the window then grows back to nCtx. Each step's logits therefore come from
    /// a window of the last nCtx/2 … nCtx tokens.
    /// Why not nanoGPT's crop (generate re-runs the last block_size tokens at every step): a cached key/value depends on its
    /// absolute position and on the tokens before it, so sliding the window by one would invalidate the whole cache.
    /// Cost: one step in nCtx/2 re-reads nCtx/2 tokens instead of one.
    /// The selector's context is always the whole sequence (prompt + generated), not just the window.
    /// </summary>
    /// <param name="prompt">The prompt, read as the start of an address.</param>
    /// <param name="maxNewTokens">Tokens to generate; ≥ 0.</param>
    /// <param name="selector">The decoding step (e.g. <see cref="SamplingPipeline.AsSelector"/>); null samples from softmax(logits) (<see cref="PlainSampling"/>).</param>
    /// <param name="seed">Seed of the System.Random passed to the selector.</param>
    /// <param name="stopAtEndOfText">Stop after the model emits &lt;|endoftext|&gt; (it is kept in GeneratedIds, not in Completion).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxNewTokens &lt; 0.</exception>
    /// <exception cref="ArgumentException">The prompt needs more than nCtx tokens; the selector returned an id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public TinyGptGeneration Generate(string prompt, int maxNewTokens, NextTokenSelector? selector = null, int seed = 0, bool stopAtEndOfText = true)
    {
        var ids = EncodePrompt(prompt);
        var generated = Generate(ids, maxNewTokens, selector ?? PlainSampling, new Random(seed), stopAtEndOfText);
        var text = RequireTokenizer().Decode(generated.Where(id => id != TinyGptTokenizer.EndOfTextId).ToArray());
        return new TinyGptGeneration(prompt, text, ids, generated);
    }

    /// <summary>Id-level generation (see <see cref="Generate(string, int, NextTokenSelector?, int, bool)"/>).</summary>
    /// <param name="promptIds">Prompt ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <param name="maxNewTokens">Tokens to generate; ≥ 0.</param>
    /// <param name="selector">The decoding step.</param>
    /// <param name="random">Random source passed to the selector.</param>
    /// <param name="stopAtEndOfText">Stop after &lt;|endoftext|&gt;.</param>
    /// <returns>The generated ids (not including the prompt).</returns>
    /// <exception cref="ArgumentOutOfRangeException">maxNewTokens &lt; 0.</exception>
    /// <exception cref="ArgumentException">Bad prompt ids; the selector returned an id outside [0, vocabSize).</exception>
    public int[] Generate(ReadOnlySpan<int> promptIds, int maxNewTokens, NextTokenSelector selector, Random random, bool stopAtEndOfText = true)
    {
        CheckIds(promptIds);
        Guard.NonNegative(maxNewTokens);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(random);
        var context = new List<int>(promptIds.Length + maxNewTokens);
        context.AddRange(promptIds.ToArray());
        var generated = new List<int>(maxNewTokens);
        var session = CreateSession();
        var logits = new float[Config.VocabSize];
        for (int t = 0; t < promptIds.Length; t++) session.Append(promptIds[t], t == promptIds.Length - 1 ? logits : Span<float>.Empty);
        for (int step = 0; step < maxNewTokens; step++)
        {
            int next = selector(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(context), logits, random);
            if ((uint)next >= (uint)Config.VocabSize)
                throw new ArgumentException($"The selector returned id {next}, outside [0, {Config.VocabSize}).", nameof(selector));
            generated.Add(next);
            context.Add(next);
            if (stopAtEndOfText && next == TinyGptTokenizer.EndOfTextId) break;
            if (step == maxNewTokens - 1) break;
            if (session.Position == Config.NCtx)
            {
                session.Reset();
                int keep = Math.Max(1, Config.NCtx / 2);
                for (int i = context.Count - keep; i < context.Count - 1; i++) session.Append(context[i], Span<float>.Empty);
            }
            session.Append(next, logits);
        }
        return [.. generated];
    }

    /// <summary>
    /// Records the hidden states of a forward pass: the residual stream after the embeddings and after every block, each
    /// LayerNorm's output, and the logits.
    /// </summary>
    /// <param name="ids">Token ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <exception cref="ArgumentException">Empty, longer than nCtx, or an id outside [0, vocabSize).</exception>
    public TinyGptTrace Trace(ReadOnlySpan<int> ids)
    {
        CheckIds(ids);
        int t = ids.Length, d = Config.DModel, n = Config.NLayer;
        var trace = new TinyGptSession.Recorder(
            new float[t, d],
            Enumerable.Range(0, n).Select(_ => new float[t, d]).ToArray(),
            Enumerable.Range(0, n).Select(_ => new float[t, d]).ToArray(),
            Enumerable.Range(0, n).Select(_ => new float[t, d]).ToArray(),
            Config.Norm == NormPlacement.PreLN ? new float[t, d] : null);
        var logits = new float[t, Config.VocabSize];
        var row = new float[Config.VocabSize];
        var session = CreateSession();
        for (int i = 0; i < t; i++)
        {
            session.Append(ids[i], row, trace);
            Buffer.BlockCopy(row, 0, logits, i * row.Length * sizeof(float), row.Length * sizeof(float));
        }
        return new TinyGptTrace(trace.Embeddings, trace.Blocks, trace.Ln1, trace.Ln2, trace.FinalNorm, logits);
    }

    /// <summary>
    /// Mean cross-entropy (nats per token) over the first <paramref name="maxWindows"/> evaluation windows of a token stream
    /// (<see cref="TokenWindows.EvaluationWindow"/>): −(1/N) Σ log softmax(z_t)[target_t]. Perplexity = exp of it.
    /// </summary>
    /// <param name="stream">Token ids; length ≥ nCtx + 1; each in [0, vocabSize).</param>
    /// <param name="maxWindows">Windows to use; 0 = all.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0.</exception>
    /// <exception cref="ArgumentException">The stream holds no window, or an id outside [0, vocabSize).</exception>
    public double CrossEntropy(ReadOnlySpan<int> stream, int maxWindows = 0)
    {
        Guard.NonNegative(maxWindows);
        int nCtx = Config.NCtx;
        int count = TokenWindows.EvaluationWindowCount(stream.Length, nCtx);
        if (count == 0) throw new ArgumentException($"stream must hold at least nCtx + 1 = {nCtx + 1} ids; got {stream.Length}.", nameof(stream));
        if (maxWindows > 0) count = Math.Min(count, maxWindows);
        var inputs = new int[nCtx];
        var targets = new int[nCtx];
        var logits = new float[Config.VocabSize];
        double sum = 0;
        for (int w = 0; w < count; w++)
        {
            TokenWindows.EvaluationWindow(stream, nCtx, w, inputs, targets);
            CheckIds(inputs);
            CheckIds(targets, nameof(stream));
            var session = CreateSession();
            for (int i = 0; i < nCtx; i++)
            {
                session.Append(inputs[i], logits);
                sum += Softmax.NegativeLogLikelihood(logits, targets[i]);
            }
        }
        return sum / ((double)count * nCtx);
    }

    /// <summary>Ancestral sampling from the unmodified softmax(logits), the default decoding step of <c>Generate</c>.</summary>
    public static NextTokenSelector PlainSampling { get; } = new SamplingPipeline().AsSelector();

    /// <summary>Name, parameter count and shape, e.g. "TinyGpt: 4 layers × 4 heads, dModel 128, nCtx 128, vocab 4096, Pre-LN, learned positions, 1.3M parameters".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"TinyGpt: {Config.NLayer} layers × {Config.NHead} heads, dModel {Config.DModel}, nCtx {Config.NCtx}, vocab {Config.VocabSize}, " +
            $"{(Config.Norm == NormPlacement.PreLN ? "Pre-LN" : "Post-LN")}, {Config.Positions.ToString().ToLowerInvariant()} positions, " +
            $"{(Config.TiedEmbeddings ? "tied" : "untied")} embeddings, {ParameterCount / 1e6:F2}M parameters");

    internal void CheckIds(ReadOnlySpan<int> ids, string name = "ids")
    {
        if (ids.IsEmpty) throw new ArgumentException($"{name} must hold at least one token id.", name);
        if (ids.Length > Config.NCtx)
            throw new ArgumentException($"{name} holds {ids.Length} tokens but the model's context is nCtx = {Config.NCtx} tokens.", name);
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(name, ids[i], $"{name}[{i}] = {ids[i]} lies outside [0, vocabSize = {Config.VocabSize}).");
    }

    private TinyGptTokenizer RequireTokenizer() =>
        Tokenizer ?? throw new InvalidOperationException("This model was built without a tokenizer; use the id-based methods or TinyGptModel.Load.");

    private static void CheckTokenizer(TinyGptConfig config, TinyGptTokenizer? tokenizer)
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
