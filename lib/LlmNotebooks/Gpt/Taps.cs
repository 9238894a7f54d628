using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmNotebooks.Gpt;

/// <summary>Whether a tap sees a module's input or its output.</summary>
public enum TapSite
{
    /// <summary>What the module receives (like a PyTorch forward pre-hook).</summary>
    Input,

    /// <summary>What the module returns (like a PyTorch forward hook).</summary>
    Output,
}

/// <summary>A named point of the forward pass: a module of the checkpoint and its input or output, e.g. "h.0.mlp.c_proj:input".</summary>
/// <param name="Module">"h.{i}" (the block: its input and output are the residual stream), "h.{i}.ln_1", "h.{i}.attn.c_attn",
/// "h.{i}.attn.c_proj", "h.{i}.ln_2", "h.{i}.mlp.c_fc", "h.{i}.mlp.c_proj", "ln_f" or "lm_head".</param>
/// <param name="Site">Input or output.</param>
public readonly partial record struct TapPoint(string Module, TapSite Site)
{
    /// <summary>The input of a module.</summary>
    public static TapPoint Input(string module) => new(module, TapSite.Input);

    /// <summary>The output of a module.</summary>
    public static TapPoint Output(string module) => new(module, TapSite.Output);

    /// <summary>Parses "module:input" or "module:output".</summary>
    /// <exception cref="ArgumentException">No ":input" or ":output" suffix.</exception>
    public static TapPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.EndsWith(":input", StringComparison.Ordinal)) return Input(text[..^6]);
        if (text.EndsWith(":output", StringComparison.Ordinal)) return Output(text[..^7]);
        throw new ArgumentException($"text must be \"module:input\" or \"module:output\", e.g. \"h.0.mlp.c_proj:input\"; got \"{text}\".", nameof(text));
    }

    /// <summary>"h.0.mlp.c_proj:input".</summary>
    public override string ToString() => Module + (Site == TapSite.Input ? ":input" : ":output");
}

/// <summary>What a tap sees: the activations at its point for the rows of one forward call, which it may read and rewrite.</summary>
public readonly ref struct TapActivation
{
    private readonly ReadOnlySpan<int> _positions, _sequences;

    internal TapActivation(TapPoint point, Span<float> values, int width, ReadOnlySpan<int> positions, ReadOnlySpan<int> sequences)
    {
        Point = point;
        Values = values;
        Width = width;
        _positions = positions;
        _sequences = sequences;
    }

    /// <summary>Where in the forward pass.</summary>
    public TapPoint Point { get; }

    /// <summary>The activations, shape [Rows, Width] row-major; writes change what flows on (see <see cref="GptTaps"/>).</summary>
    public Span<float> Values { get; }

    /// <summary>Number of rows: 1 in a KV-cache session step, batch · time in a whole-sequence call (row = b·T + t).</summary>
    public int Rows => _positions.Length;

    /// <summary>Width of a row, e.g. dModel, 3·dModel at c_attn's output, dFf at mlp.c_proj's input, vocabSize at lm_head's output.</summary>
    public int Width { get; }

    /// <summary>Row r, shape [Width].</summary>
    public Span<float> Row(int r) => Values.Slice(r * Width, Width);

    /// <summary>Position (0-based token index in its sequence) of row r.</summary>
    public int Position(int r) => _positions[r];

    /// <summary>Which sequence of the batch row r belongs to (0 in a session).</summary>
    public int Sequence(int r) => _sequences[r];
}

/// <summary>Observes or rewrites the activations at one point (<see cref="GptTaps"/>).</summary>
public delegate void TapHandler(TapActivation activation);

/// <summary>Computes a linear layer in place of the default y = x·Wᵀ + b (e.g. an int8 matmul, or LoRA's W·x + (α/r)·B·A·x).</summary>
/// <param name="layer">The layer, with its weights; <see cref="LinearLayer.Forward"/> is the default computation.</param>
/// <param name="x">Input, shape [rows, in].</param>
/// <param name="y">Output to fill, shape [rows, out].</param>
/// <param name="rows">Number of rows.</param>
public delegate void LinearKernel(LinearLayer layer, ReadOnlySpan<float> x, Span<float> y, int rows);

/// <summary>
/// Taps on the forward pass of a <see cref="GptModel"/>, named after the GPT-2 checkpoint (<see cref="TapPoint"/>); attach them
/// with <see cref="GptModel.WithTaps"/>. A handler sees a point's activations and may rewrite them:
/// an input tap sees a copy, so a rewrite changes only what that module computes (like returning a new input from a
/// PyTorch forward pre-hook); an output tap, and the block's input, rewrite the value that flows on. Handlers at one
/// point run in the order added. <see cref="ReplaceLinear"/> swaps a linear layer's computation.
/// Without taps the forward pass does one null check per point (docs/design.md, "Taps").
/// </summary>
public sealed partial class GptTaps
{
    private readonly List<(TapPoint Point, TapHandler Handler)> _handlers = [];
    private readonly Dictionary<string, LinearKernel> _kernels = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="handler"/> on the input of <paramref name="module"/> (e.g. "h.0.attn.c_attn").</summary>
    /// <exception cref="ArgumentException">Not a module name (checked against the model when attached).</exception>
    public GptTaps OnInput(string module, TapHandler handler) => On(TapPoint.Input(module), handler);

    /// <summary>Runs <paramref name="handler"/> on the output of <paramref name="module"/> (e.g. "h.0" for the residual stream after block 0).</summary>
    /// <exception cref="ArgumentException">Not a module name.</exception>
    public GptTaps OnOutput(string module, TapHandler handler) => On(TapPoint.Output(module), handler);

    /// <summary>Runs <paramref name="handler"/> at <paramref name="point"/>.</summary>
    /// <exception cref="ArgumentException">Not a tap point of any GPT (see <see cref="Points"/>).</exception>
    public GptTaps On(TapPoint point, TapHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Parse(point.Module, nameof(point));
        _handlers.Add((point, handler));
        return this;
    }

    /// <summary>Computes the linear layer <paramref name="module"/> with <paramref name="kernel"/> (its input and output taps still run).</summary>
    /// <exception cref="ArgumentException">Not a linear layer's name ("h.{i}.attn.c_attn", …, "lm_head"), or one already replaced.</exception>
    public GptTaps ReplaceLinear(string module, LinearKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (Parse(module, nameof(module)).Site is not (Site.CAttn or Site.AttnProj or Site.Fc or Site.MlpProj or Site.LmHead))
            throw new ArgumentException($"module must name a linear layer (h.{{i}}.attn.c_attn, h.{{i}}.attn.c_proj, h.{{i}}.mlp.c_fc, h.{{i}}.mlp.c_proj, lm_head); got \"{module}\".", nameof(module));
        if (!_kernels.TryAdd(module, kernel)) throw new ArgumentException($"{module} is already replaced.", nameof(module));
        return this;
    }

    /// <summary>A copy with the same handlers and kernels (adding to either leaves the other unchanged).</summary>
    public GptTaps Clone()
    {
        var copy = new GptTaps();
        copy._handlers.AddRange(_handlers);
        foreach (var (k, v) in _kernels) copy._kernels[k] = v;
        return copy;
    }

    /// <summary>Every tap point of a config, in forward order (norm points only when it has norms, ln_f only with a final norm).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException">A config the models cannot run (<see cref="GptConfig.ValidateRunnable"/>).</exception>
    public static IReadOnlyList<TapPoint> Points(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ValidateRunnable();
        bool norms = config.Norm != NormKind.None, pre = config.Placement == NormPlacement.PreLN;
        var points = new List<TapPoint>();
        void Both(string m)
        {
            points.Add(TapPoint.Input(m));
            points.Add(TapPoint.Output(m));
        }
        for (int i = 0; i < config.NLayer; i++)
        {
            string h = string.Create(CultureInfo.InvariantCulture, $"h.{i}");
            points.Add(TapPoint.Input(h));
            if (norms && pre) Both(h + ".ln_1");
            Both(h + ".attn.c_attn");
            Both(h + ".attn.c_proj");
            if (norms && !pre) Both(h + ".ln_1");
            if (norms && pre) Both(h + ".ln_2");
            Both(h + ".mlp.c_fc");
            Both(h + ".mlp.c_proj");
            if (norms && !pre) Both(h + ".ln_2");
            points.Add(TapPoint.Output(h));
        }
        if (config.HasFinalNorm) Both("ln_f");
        Both("lm_head");
        return points;
    }

    // ---- Resolution into arrays, once per forward call or session ----

    internal enum Site { Block, Ln1, CAttn, AttnProj, Ln2, Fc, MlpProj, LnF, LmHead }

    internal const int SiteCount = 9;

    [GeneratedRegex(@"^h\.(\d+)(?:\.(ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj))?$")]
    private static partial Regex BlockModule();

    // (layer, site) of a module name; layer −1 for ln_f and lm_head.
    internal static (int Layer, Site Site) Parse(string module, string paramName)
    {
        ArgumentNullException.ThrowIfNull(module, paramName);
        if (module == "ln_f") return (-1, Site.LnF);
        if (module == "lm_head") return (-1, Site.LmHead);
        var m = BlockModule().Match(module);
        if (!m.Success || !int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int layer))
            throw new ArgumentException($"\"{module}\" is not a module of a GPT: use h.{{i}}, h.{{i}}.ln_1, h.{{i}}.attn.c_attn, h.{{i}}.attn.c_proj, " +
                "h.{i}.ln_2, h.{i}.mlp.c_fc, h.{i}.mlp.c_proj, ln_f or lm_head.", paramName);
        var site = m.Groups[2].Value switch
        {
            "" => Site.Block,
            "ln_1" => Site.Ln1,
            "attn.c_attn" => Site.CAttn,
            "attn.c_proj" => Site.AttnProj,
            "ln_2" => Site.Ln2,
            "mlp.c_fc" => Site.Fc,
            _ => Site.MlpProj,
        };
        return (layer, site);
    }

    /// <summary>The handlers and kernels as arrays indexed by [layer + 1][site] (row 0: ln_f and lm_head).</summary>
    /// <exception cref="ArgumentException">A point or kernel the config does not have (e.g. h.9 in a 4-layer model, ln_f in Post-LN).</exception>
    internal Resolved Resolve(GptConfig config)
    {
        var valid = Points(config).ToHashSet();
        var resolved = new Resolved(config.NLayer);
        foreach (var (point, handler) in _handlers)
        {
            if (!valid.Contains(point))
                throw new ArgumentException($"The model ({config.Describe()}) has no tap point {point}.", "taps");
            var (layer, site) = Parse(point.Module, "taps");
            ref var slot = ref (point.Site == TapSite.Input ? resolved.Inputs : resolved.Outputs)[layer + 1][(int)site];
            slot = (TapHandler?)Delegate.Combine(slot, handler); // invoked in the order added
        }
        foreach (var (module, kernel) in _kernels)
        {
            if (!valid.Contains(TapPoint.Input(module)))
                throw new ArgumentException($"The model ({config.Describe()}) has no linear layer {module}.", "taps");
            var (layer, site) = Parse(module, "taps");
            resolved.Kernels[layer + 1][(int)site] = kernel;
        }
        return resolved;
    }

    internal sealed class Resolved(int nLayer)
    {
        public readonly TapHandler?[][] Inputs = New<TapHandler>(nLayer);
        public readonly TapHandler?[][] Outputs = New<TapHandler>(nLayer);
        public readonly LinearKernel?[][] Kernels = New<LinearKernel>(nLayer);

        private static T?[][] New<T>(int nLayer) where T : class =>
            Enumerable.Range(0, nLayer + 1).Select(_ => new T?[SiteCount]).ToArray();
    }
}
