using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LlmNotebooks.IO;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;
using LlmNotebooks.Training;

namespace LlmNotebooks.Gpt;

/// <summary>One row of a next-token table.</summary>
/// <param name="Rank">1 for the most probable token.</param>
/// <param name="Id">Token id.</param>
/// <param name="Token">The token's readable text, e.g. " nation".</param>
/// <param name="Logit">Raw logit z_i.</param>
/// <param name="Probability">softmax(z)_i, computed over the whole vocabulary.</param>
public sealed record NextTokenRow(int Rank, int Id, string Token, float Logit, double Probability);

/// <summary>The result of <see cref="GptModel.Generate(string, int, NextTokenSelector?, int, bool)"/>.</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Completion">The generated text only (without the prompt).</param>
/// <param name="PromptIds">Token ids fed to the model, [&lt;|endoftext|&gt;] + Encode(prompt).</param>
/// <param name="GeneratedIds">Token ids chosen by the selector, in order.</param>
public sealed record GenerationResult(string Prompt, string Completion, IReadOnlyList<int> PromptIds, IReadOnlyList<int> GeneratedIds)
{
    /// <summary>Prompt followed by completion.</summary>
    public string Text => Prompt + Completion;

    /// <summary>The full text.</summary>
    public override string ToString() => Text;
}

/// <summary>
/// A decoder-only GPT run in plain C# (no TorchSharp): GPT-2's architecture (Radford et al. 2019; nanoGPT's model.py) with
/// any <see cref="GptConfig"/>: Pre-LN, Post-LN or DeepNorm; LayerNorm, RMSNorm, BatchNorm or none; learned, sinusoidal
/// or rotary positions; float32 with System.Numerics.Tensors SIMD. The math is in GptForward.cs; loading in
/// <see cref="ModelFolder"/>. Whole sequences go through <see cref="Logits(int[,], ForwardMode)"/>, token-by-token
/// decoding through a KV-cache <see cref="GptSession"/>; <see cref="WithTaps"/> opens both to observe and rewrite
/// activations. String prompts are read as the start of an address: [&lt;|endoftext|&gt;] + Encode(prompt), as in training.
/// </summary>
public sealed class GptModel
{
    private readonly Dictionary<string, GptWeight> _weights;
    private readonly GptWeights _w;

    private GptModel(GptConfig config, Dictionary<string, GptWeight> weights, TinyGptTokenizer? tokenizer, TrainingRecord? training, GptTaps? taps)
    {
        Config = config;
        Tokenizer = tokenizer;
        TrainingRecord = training;
        Taps = taps;
        _weights = weights;
        _w = new GptWeights(config, weights);
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The tokenizer, or null for a model built from weights alone (then only the id-based methods work).</summary>
    public TinyGptTokenizer? Tokenizer { get; }

    /// <summary>The folder's training.json (command, seed, timings, losses), or null when absent.</summary>
    public TrainingRecord? TrainingRecord { get; }

    /// <summary>The taps every forward pass of this model runs, or null (<see cref="WithTaps"/>).</summary>
    public GptTaps? Taps { get; }

    /// <summary>Every tensor by GPT-2 / nanoGPT name (<see cref="GptConfig.Tensors"/>), read-only.</summary>
    public IReadOnlyDictionary<string, GptWeight> Weights => _weights;

    /// <summary>Number of trainable parameters (tied embeddings counted once).</summary>
    public long ParameterCount => Config.ParameterCount;

    /// <summary>Loads a model folder (<see cref="ModelFolder.Load"/>).</summary>
    /// <param name="folder">The folder, e.g. "../models/tiny-gpt".</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or does not match the config.</exception>
    public static GptModel Load(string folder) => ModelFolder.Load(folder);

    /// <summary>Builds a model from a parsed safetensors file, checking every tensor's name, shape and values against the config.</summary>
    /// <exception cref="InvalidDataException">A tensor missing, unexpected, of an integer dtype, shaped differently from the config
    /// or not finite; a tokenizer whose size differs from vocabSize.</exception>
    /// <exception cref="NotSupportedException">A config the C# model cannot run (<see cref="GptConfig.ValidateRunnable"/>).</exception>
    public static GptModel FromSafetensors(GptConfig config, SafetensorsFile file, TinyGptTokenizer? tokenizer = null, TrainingRecord? training = null)
    {
        config.ValidateRunnable();
        var weights = Checkpoint.FromSafetensors(config, file);
        Checkpoint.CheckTokenizer(config, tokenizer);
        return new GptModel(config, weights, tokenizer, training, null);
    }

    /// <summary>Builds a model from GPT-2-named float32 arrays (row-major, copied), e.g. weights exported from TorchSharp.</summary>
    /// <exception cref="InvalidDataException">A tensor missing, unexpected, of the wrong length or holding NaN/Inf; a tokenizer
    /// whose size differs from vocabSize.</exception>
    /// <exception cref="NotSupportedException">A config the C# model cannot run (<see cref="GptConfig.ValidateRunnable"/>).</exception>
    public static GptModel FromWeights(GptConfig config, IReadOnlyDictionary<string, float[]> weights, TinyGptTokenizer? tokenizer = null)
    {
        config.ValidateRunnable();
        var checkedWeights = Checkpoint.FromArrays(config, weights);
        Checkpoint.CheckTokenizer(config, tokenizer);
        return new GptModel(config, checkedWeights, tokenizer, null, null);
    }

    /// <summary>A copy with some tensors replaced (e.g. quantized then dequantized, or LoRA merged), same shapes; taps kept.</summary>
    /// <param name="replacements">GPT-2 name → new values (same length as the original).</param>
    /// <exception cref="InvalidDataException">An unknown name, a wrong length or a NaN/Inf value.</exception>
    public GptModel WithWeights(IReadOnlyDictionary<string, float[]> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var all = _weights.ToDictionary(kv => kv.Key, kv => kv.Value.Array, StringComparer.Ordinal);
        foreach (var (name, values) in replacements)
        {
            if (!all.ContainsKey(name)) throw new InvalidDataException($"The model has no weight named '{name}'.");
            all[name] = values;
        }
        return new GptModel(Config, Checkpoint.FromArrays(Config, all), Tokenizer, TrainingRecord, Taps);
    }

    /// <summary>The same model (weights shared) whose every forward pass runs <paramref name="taps"/>; null removes them.</summary>
    /// <exception cref="ArgumentException">A tap point or replaced layer this model does not have.</exception>
    public GptModel WithTaps(GptTaps? taps)
    {
        taps?.Resolve(Config); // checks the names now rather than at the first forward pass
        return new GptModel(Config, _weights, Tokenizer, TrainingRecord, taps?.Clone());
    }

    /// <summary>The linear layer called <paramref name="module"/>: "h.{i}.attn.c_attn", "h.{i}.attn.c_proj", "h.{i}.mlp.c_fc", "h.{i}.mlp.c_proj" or "lm_head".</summary>
    /// <exception cref="ArgumentException">No such layer.</exception>
    public LinearLayer Linear(string module) =>
        _w.Linear(module) ?? throw new ArgumentException($"The model has no linear layer \"{module}\".", nameof(module));

    /// <summary>A KV-cache session for feeding tokens one at a time (batch 1, eval mode), with this model's taps.</summary>
    public GptSession CreateSession() => new(this);

    internal GptForward NewForward(int rows, int sequences, int length) =>
        new(Config, _w, Taps?.Resolve(Config), rows, sequences, length);

    /// <summary>Token ids for a prompt: [&lt;|endoftext|&gt;] + Encode(prompt).</summary>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return [TinyGptTokenizer.EndOfTextId, .. RequireTokenizer().Encode(prompt)];
    }

    /// <summary>Next-token logits at every position of a batch of sequences, in one whole-sequence forward pass.</summary>
    /// <param name="ids">Token ids, shape [batch, time]; 1 ≤ time ≤ nCtx; each in [0, vocabSize).</param>
    /// <param name="mode">Eval, or Train for BatchNorm's batch statistics over all batch · time rows.</param>
    /// <returns>Shape [batch, time, vocabSize]: [b, t] holds the logits for the token after ids[b, t].</returns>
    /// <exception cref="ArgumentException">No rows, time &gt; nCtx, or an id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">BatchNorm in train mode on a single token.</exception>
    public float[,,] Logits(int[,] ids, ForwardMode mode = ForwardMode.Eval)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int batch = ids.GetLength(0), time = ids.GetLength(1);
        if (batch == 0) throw new ArgumentException("ids must hold at least one sequence.", nameof(ids));
        var flat = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, int>(ref MemoryMarshal.GetArrayDataReference(ids)), ids.Length);
        var logits = new float[batch, time, Config.VocabSize];
        Forward(flat, batch, time, AsSpan(logits), mode);
        return logits;
    }

    /// <summary>Next-token logits at every position of one sequence (a whole-sequence forward pass).</summary>
    /// <param name="ids">Token ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <param name="mode">Eval, or Train for BatchNorm's statistics over the sequence.</param>
    /// <returns>Shape [ids.Length, vocabSize]: row t holds the logits for the token after ids[t].</returns>
    /// <exception cref="ArgumentException">Empty, longer than nCtx, or an id outside [0, vocabSize).</exception>
    public float[,] Logits(ReadOnlySpan<int> ids, ForwardMode mode = ForwardMode.Eval)
    {
        var logits = new float[ids.Length, Config.VocabSize];
        Forward(ids, 1, ids.Length, AsSpan(logits), mode);
        return logits;
    }

    /// <summary>Logits for the token after the last id (a KV-cache session over the ids).</summary>
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
    /// Generates up to <paramref name="maxNewTokens"/> tokens after a prompt, one at a time through the KV cache: at each step
    /// the selector picks the next id from the logits (Radford et al. 2018 eq. 1). Past nCtx the cache restarts from the
    /// last max(1, nCtx/2) tokens (docs/design.md, "Generation past nCtx"); the selector always sees the whole sequence.
    /// </summary>
    /// <param name="prompt">The prompt, read as the start of an address.</param>
    /// <param name="maxNewTokens">Tokens to generate; ≥ 0.</param>
    /// <param name="selector">The decoding step (e.g. <see cref="SamplingPipeline.AsSelector"/>); null samples from softmax(logits) (<see cref="PlainSampling"/>).</param>
    /// <param name="seed">Seed of the System.Random passed to the selector.</param>
    /// <param name="stopAtEndOfText">Stop after the model emits &lt;|endoftext|&gt; (it is kept in GeneratedIds, not in Completion).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxNewTokens &lt; 0.</exception>
    /// <exception cref="ArgumentException">The prompt needs more than nCtx tokens; the selector returned an id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">The model has no tokenizer.</exception>
    public GenerationResult Generate(string prompt, int maxNewTokens, NextTokenSelector? selector = null, int seed = 0, bool stopAtEndOfText = true)
    {
        var ids = EncodePrompt(prompt);
        var generated = Generate(ids, maxNewTokens, selector ?? PlainSampling, new Random(seed), stopAtEndOfText);
        var text = RequireTokenizer().Decode(generated.Where(id => id != TinyGptTokenizer.EndOfTextId).ToArray());
        return new GenerationResult(prompt, text, ids, generated);
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
            int next = selector(CollectionsMarshal.AsSpan(context), logits, random);
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

    /// <summary>Records the activations at tap points during one whole-sequence forward pass (after this model's own taps).</summary>
    /// <param name="ids">Token ids; 1 ≤ length ≤ nCtx; each in [0, vocabSize).</param>
    /// <param name="points">Points to record; null records every point of <see cref="GptTaps.Points"/>.</param>
    /// <exception cref="ArgumentException">Bad ids, or a point the model does not have.</exception>
    public GptTrace Trace(ReadOnlySpan<int> ids, IEnumerable<TapPoint>? points = null)
    {
        var taps = Taps?.Clone() ?? new GptTaps();
        var recorded = new Dictionary<TapPoint, float[,]>();
        foreach (var point in points ?? GptTaps.Points(Config))
            taps.On(point, a =>
            {
                var matrix = new float[a.Rows, a.Width];
                a.Values.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length));
                recorded[a.Point] = matrix;
            });
        var logits = WithTaps(taps).Logits(ids);
        return new GptTrace(recorded, logits);
    }

    /// <summary>
    /// Mean cross-entropy (nats per token) over the first <paramref name="maxWindows"/> evaluation windows of a token stream
    /// (<see cref="TokenWindows.MeanCrossEntropy"/>): −(1/N) Σ log softmax(z_t)[target_t]. Perplexity = exp of it.
    /// </summary>
    /// <param name="stream">Token ids; length ≥ nCtx + 1; each in [0, vocabSize).</param>
    /// <param name="maxWindows">Windows to use; 0 = all.</param>
    /// <param name="mode">Eval, or Train for BatchNorm's statistics over each batch of windows.</param>
    /// <param name="batchSize">Windows per forward pass; ≥ 1 (matters only in train mode with BatchNorm).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxWindows &lt; 0, batchSize &lt; 1, or an id outside [0, vocabSize).</exception>
    /// <exception cref="ArgumentException">The stream holds no window.</exception>
    public double CrossEntropy(ReadOnlySpan<int> stream, int maxWindows = 0, ForwardMode mode = ForwardMode.Eval, int batchSize = 16)
    {
        Guard.TokenIds(stream, Config.VocabSize, nameof(stream));
        int nCtx = Config.NCtx, vocab = Config.VocabSize;
        float[] logits = [];
        return TokenWindows.MeanCrossEntropy(stream, nCtx, maxWindows, batchSize, (inputs, targets, windows) =>
        {
            if (logits.Length != windows * nCtx * vocab) logits = new float[windows * nCtx * vocab];
            Forward(inputs, windows, nCtx, logits, mode);
            double sum = 0;
            for (int i = 0; i < targets.Length; i++) sum += Softmax.NegativeLogLikelihood(logits.AsSpan(i * vocab, vocab), targets[i]);
            return sum / targets.Length;
        });
    }

    /// <summary>Ancestral sampling from the unmodified softmax(logits), the default decoding step of <c>Generate</c>.</summary>
    public static NextTokenSelector PlainSampling { get; } = new SamplingPipeline().AsSelector();

    /// <summary>The shape and parameter count, e.g. "tiny-gpt: 4 layers × 4 heads, …, tied embeddings, 1.33M parameters".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Config.Describe()}, {ParameterCount / 1e6:F2}M parameters{(Taps is null ? "" : ", with taps")}");

    // The whole-sequence forward pass of batch × time ids into logits [batch · time, vocabSize].
    private void Forward(ReadOnlySpan<int> ids, int batch, int time, Span<float> logits, ForwardMode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Eval or Train.");
        if (time == 0) throw new ArgumentException("ids must hold at least one token id per sequence.", nameof(ids));
        if (time > Config.NCtx)
            throw new ArgumentException($"ids holds {time} tokens per sequence but the model's context is nCtx = {Config.NCtx} tokens.", nameof(ids));
        Guard.TokenIds(ids, Config.VocabSize, nameof(ids));
        var forward = NewForward(batch * time, batch, time);
        ids.CopyTo(forward.Ids);
        for (int r = 0; r < batch * time; r++)
        {
            forward.Positions[r] = r % time;
            forward.Sequences[r] = r / time;
        }
        forward.Run(batch * time, logits, mode);
    }

    private void CheckIds(ReadOnlySpan<int> ids, [CallerArgumentExpression(nameof(ids))] string name = "ids")
    {
        if (ids.IsEmpty) throw new ArgumentException($"{name} must hold at least one token id.", name);
        if (ids.Length > Config.NCtx)
            throw new ArgumentException($"{name} holds {ids.Length} tokens but the model's context is nCtx = {Config.NCtx} tokens.", name);
        Guard.TokenIds(ids, Config.VocabSize, name);
    }

    private TinyGptTokenizer RequireTokenizer() =>
        Tokenizer ?? throw new InvalidOperationException("This model was built without a tokenizer; use the id-based methods or GptModel.Load.");

    private static Span<float> AsSpan(Array a) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length);
}
