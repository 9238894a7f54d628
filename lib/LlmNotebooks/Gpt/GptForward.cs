using System.Numerics.Tensors;
using LlmNotebooks.Numerics;
using Site = LlmNotebooks.Gpt.GptTaps.Site;

namespace LlmNotebooks.Gpt;

/// <summary>
/// The forward pass of a GPT (Radford et al. 2019; nanoGPT's model.py): embeddings → blocks → ln_f → lm_head, over a batch
/// of new rows at once. A row is one token: <see cref="Ids"/>[r] at <see cref="Positions"/>[r] of sequence
/// <see cref="Sequences"/>[r]. Each layer's keys and values are stored per (sequence, position), so the same code is the
/// KV-cache session (one row per call) and the whole-sequence forward (batch · time rows, positions 0 … T−1).
/// Buffers are allocated once; a call allocates nothing (BatchNorm's train mode excepted).
/// </summary>
internal sealed class GptForward
{
    private readonly GptConfig _c;
    private readonly GptWeights _w;
    private readonly GptTaps.Resolved? _taps;
    private readonly string[][]? _modules;     // [layer + 1][site] module names, for the points taps see
    private readonly int _capacity, _length;   // rows per call; positions stored per sequence
    private readonly float _alpha, _scale;     // DeepNorm's residual scale; 1/√hs

    // Activations, row-major [rows, width].
    private readonly float[] _x;               // the residual stream [rows, d]
    private readonly float[] _h;               // a norm's output [rows, d]
    private readonly float[] _qkv;             // c_attn's output [rows, 3d]: per row q | k | v, heads side by side
    private readonly float[] _y;               // the heads' outputs, concatenated [rows, d]
    private readonly float[] _out;             // a sublayer's output [rows, d]
    private readonly float[] _fc, _fcTmp;      // the MLP's hidden layer [rows, dFf]
    private readonly float[] _scores;          // one head's attention scores [length]
    private readonly float[]? _tapCopy;        // what an input tap sees [rows, max(d, dFf)]
    private readonly float[][] _keys, _values; // per layer [sequences, length, d]

    /// <summary>Token id of each row.</summary>
    public readonly int[] Ids;

    /// <summary>Position of each row in its sequence, in [0, length).</summary>
    public readonly int[] Positions;

    /// <summary>Sequence of each row, in [0, sequences).</summary>
    public readonly int[] Sequences;

    public GptForward(GptConfig config, GptWeights weights, GptTaps.Resolved? taps, int capacity, int sequences, int length)
    {
        _c = config;
        _w = weights;
        _taps = taps;
        _capacity = capacity;
        _length = length;
        _alpha = (float)config.ResidualScale;
        _scale = 1f / MathF.Sqrt(config.DHead);
        int d = config.DModel, f = config.DFf;
        _x = new float[capacity * d];
        _h = new float[capacity * d];
        _qkv = new float[capacity * 3 * d];
        _y = new float[capacity * d];
        _out = new float[capacity * d];
        _fc = new float[capacity * f];
        _fcTmp = new float[capacity * f];
        _scores = new float[length];
        _keys = Enumerable.Range(0, config.NLayer).Select(_ => new float[sequences * length * d]).ToArray();
        _values = Enumerable.Range(0, config.NLayer).Select(_ => new float[sequences * length * d]).ToArray();
        Ids = new int[capacity];
        Positions = new int[capacity];
        Sequences = new int[capacity];
        if (taps is not null)
        {
            _tapCopy = new float[capacity * Math.Max(d, f)];
            _modules = ModuleNames(config.NLayer);
        }
    }

    /// <summary>Runs rows 0 … rows−1 through the model; writes their next-token logits [rows, vocabSize] unless
    /// <paramref name="logits"/> is empty (which skips lm_head).</summary>
    public void Run(int rows, Span<float> logits, ForwardMode mode)
    {
        if (rows < 1 || rows > _capacity) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"rows must lie in [1, {_capacity}]; got {rows}.");
        int d = _c.DModel;
        var x = _x.AsSpan(0, rows * d);

        // x = wte[idx] + wpe[pos]                                                   (rows, d)
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * d, d);
            _w.wte.AsSpan(Ids[r] * d, d).CopyTo(xr);
            if (_w.wpe is not null) TensorPrimitives.Add(xr, _w.wpe.AsSpan(Positions[r] * d, d), xr);
        }

        for (int l = 0; l < _w.h.Length; l++) Block(l, rows, mode);

        // x = ln_f(x); logits = lm_head(x)                                           (rows, vocabSize)
        var final = Norm(_w.ln_f, -1, Site.LnF, x, _h, rows, mode);
        if (!logits.IsEmpty) Linear(_w.lm_head, -1, Site.LmHead, final, logits, rows);
    }

    // One block h.l, x → x.
    private void Block(int l, int rows, ForwardMode mode)
    {
        var b = _w.h[l];
        int d = _c.DModel;
        var x = _x.AsSpan(0, rows * d);
        var sublayer = _out.AsSpan(0, rows * d);
        Tap(_taps?.Inputs, TapSite.Input, l, Site.Block, x, d, rows);
        if (_c.Placement == NormPlacement.PreLN)
        {
            Attention(l, Norm(b.ln_1, l, Site.Ln1, x, _h, rows, mode), sublayer, rows);  // x = x + attn(ln_1(x))
            TensorPrimitives.Add(x, sublayer, x);
            Mlp(l, Norm(b.ln_2, l, Site.Ln2, x, _h, rows, mode), sublayer, rows);        // x = x + mlp(ln_2(x))
            TensorPrimitives.Add(x, sublayer, x);
        }
        else
        {
            Attention(l, x, sublayer, rows);                                             // x = ln_1(α·x + attn(x))
            Residual(x, sublayer);
            Norm(b.ln_1, l, Site.Ln1, x, _x, rows, mode);
            Mlp(l, x, sublayer, rows);                                                   // x = ln_2(α·x + mlp(x))
            Residual(x, sublayer);
            Norm(b.ln_2, l, Site.Ln2, x, _x, rows, mode);
        }
        Tap(_taps?.Outputs, TapSite.Output, l, Site.Block, x, d, rows);
    }

    // x = α·x + sublayer (Post-LN: α = 1; DeepNorm: α = (2N)^(1/4), Wang et al. 2022, Fig. 2).
    private void Residual(Span<float> x, ReadOnlySpan<float> sublayer)
    {
        if (_alpha == 1f) TensorPrimitives.Add(x, sublayer, x);
        else TensorPrimitives.MultiplyAdd(x, _alpha, sublayer, x);
    }

    // Causal multi-head self-attention (Vaswani et al. 2017 eq. 1), input → output (rows, d).
    private void Attention(int l, ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        var attn = _w.h[l].attn;
        int d = _c.DModel, hs = _c.DHead;
        var qkv = _qkv.AsSpan(0, rows * 3 * d);
        Linear(attn.c_attn, l, Site.CAttn, input, qkv, rows);                           // q, k, v = c_attn(x)   (rows, 3d)

        var keys = _keys[l];                                                             // [sequences, length, d]
        var values = _values[l];
        for (int r = 0; r < rows; r++)
        {
            var q = qkv.Slice(r * 3 * d, d);                                             // q: row r, cols 0 … d−1
            var k = qkv.Slice(r * 3 * d + d, d);                                         // k: cols d … 2d−1
            var v = qkv.Slice(r * 3 * d + 2 * d, d);                                     // v: cols 2d … 3d−1
            if (_w.rope is { } rope)
            {
                rope.ApplyUnchecked(q, Positions[r]);                                     // RoPE on q and k (RoFormer eq. 34)
                rope.ApplyUnchecked(k, Positions[r]);
            }
            int slot = (Sequences[r] * _length + Positions[r]) * d;                      // cache row (sequence, position)
            k.CopyTo(keys.AsSpan(slot, d));
            v.CopyTo(values.AsSpan(slot, d));
        }

        var y = _y.AsSpan(0, rows * d);
        for (int r = 0; r < rows; r++)
        {
            int pos = Positions[r], first = Sequences[r] * _length * d;                  // this sequence's cache rows
            var scores = _scores.AsSpan(0, pos + 1);                                     // keys 0 … pos: the causal mask
            for (int head = 0; head < _c.NHead; head++)
            {
                int o = head * hs;                                                       // head h: cols h·hs … h·hs+hs−1
                var qh = qkv.Slice(r * 3 * d + o, hs);
                for (int j = 0; j <= pos; j++)                                           // s_j = q·k_j / √hs
                    scores[j] = TensorPrimitives.Dot(qh, keys.AsSpan(first + j * d + o, hs)) * _scale;
                Softmax.InPlace(scores);                                                 // a = softmax(s)
                var yh = y.Slice(r * d + o, hs);                                         // y_h = Σ_j a_j v_j
                yh.Clear();
                for (int j = 0; j <= pos; j++) TensorPrimitives.MultiplyAdd(values.AsSpan(first + j * d + o, hs), scores[j], yh, yh);
            }
        }
        Linear(attn.c_proj, l, Site.AttnProj, y, output, rows);                          // out = c_proj(y)       (rows, d)
    }

    // The MLP: c_proj(GELU(c_fc(x))), input → output (rows, d).
    private void Mlp(int l, ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        var mlp = _w.h[l].mlp;
        var h = _fc.AsSpan(0, rows * _c.DFf);
        Linear(mlp.c_fc, l, Site.Fc, input, h, rows);                                    // h = c_fc(x)            (rows, dFf)
        Gelu(h, _fcTmp.AsSpan(0, h.Length));
        Linear(mlp.c_proj, l, Site.MlpProj, h, output, rows);                            // out = c_proj(GELU(h))  (rows, d)
    }

    // GPT-2's GELU, tanh form (Hendrycks and Gimpel 2016 §2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in place.
    private static void Gelu(Span<float> x, Span<float> t)
    {
        TensorPrimitives.Multiply(x, x, t);                                              // x²
        TensorPrimitives.Multiply(t, 0.044715f, t);
        TensorPrimitives.Add(t, 1f, t);                                                  // 1 + 0.044715x²
        TensorPrimitives.Multiply(t, x, t);                                              // x + 0.044715x³
        TensorPrimitives.Multiply(t, MathF.Sqrt(2f / MathF.PI), t);
        TensorPrimitives.Tanh(t, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, 0.5f, x);
    }

    // y = norm(x) into dest (which may be x's buffer); returns the span holding the result (x itself when there is no norm).
    private Span<float> Norm(NormLayer? norm, int l, Site site, Span<float> x, float[] dest, int rows, ForwardMode mode)
    {
        if (norm is null) return x;
        int d = _c.DModel;
        var input = TapInput(l, site, x, d, rows);
        var y = dest.AsSpan(0, rows * d);
        norm.Forward(input, y, d, mode);
        Tap(_taps?.Outputs, TapSite.Output, l, site, y, d, rows);
        return y;
    }

    // y = layer(x) by the default product or a replaced kernel, with the layer's input and output taps.
    private void Linear(LinearLayer layer, int l, Site site, ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        var input = TapInput(l, site, x, layer.InFeatures, rows);
        if (_taps?.Kernels[l + 1][(int)site] is { } kernel) kernel(layer, input, y, rows);
        else layer.Forward(input, y, rows);
        Tap(_taps?.Outputs, TapSite.Output, l, site, y, layer.OutFeatures, rows);
    }

    // An input tap sees a copy, so a rewrite changes only this module's computation.
    private ReadOnlySpan<float> TapInput(int l, Site site, ReadOnlySpan<float> x, int width, int rows)
    {
        var handler = _taps?.Inputs[l + 1][(int)site];
        if (handler is null) return x;
        var copy = _tapCopy.AsSpan(0, x.Length);
        x.CopyTo(copy);
        handler(new TapActivation(TapPoint.Input(_modules![l + 1][(int)site]), copy, width, Positions.AsSpan(0, rows), Sequences.AsSpan(0, rows)));
        return copy;
    }

    // An output tap (and the block's input tap) rewrites the value that flows on.
    private void Tap(TapHandler?[][]? handlers, TapSite side, int l, Site site, Span<float> values, int width, int rows)
    {
        if (handlers?[l + 1][(int)site] is not { } handler) return;
        var point = new TapPoint(_modules![l + 1][(int)site], side);
        handler(new TapActivation(point, values, width, Positions.AsSpan(0, rows), Sequences.AsSpan(0, rows)));
    }

    private static string[][] ModuleNames(int nLayer)
    {
        var names = new string[nLayer + 1][];
        names[0] = new string[GptTaps.SiteCount];
        names[0][(int)Site.LnF] = "ln_f";
        names[0][(int)Site.LmHead] = "lm_head";
        for (int l = 0; l < nLayer; l++)
        {
            string h = $"h.{l}";
            names[l + 1] = new string[GptTaps.SiteCount];
            names[l + 1][(int)Site.Block] = h;
            names[l + 1][(int)Site.Ln1] = h + ".ln_1";
            names[l + 1][(int)Site.CAttn] = h + ".attn.c_attn";
            names[l + 1][(int)Site.AttnProj] = h + ".attn.c_proj";
            names[l + 1][(int)Site.Ln2] = h + ".ln_2";
            names[l + 1][(int)Site.Fc] = h + ".mlp.c_fc";
            names[l + 1][(int)Site.MlpProj] = h + ".mlp.c_proj";
        }
        return names;
    }
}
