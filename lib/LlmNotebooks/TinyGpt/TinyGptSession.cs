using System.Numerics.Tensors;
using LlmNotebooks.Numerics;

namespace LlmNotebooks.TinyGpt;

/// <summary>
/// Batch-1 incremental decoding with a KV cache: each <see cref="Append(int)"/> runs one token through every block, attending
/// over the cached keys and values of all earlier positions, so a step costs O(parameters + position · dModel) instead of
/// re-running the prefix. All buffers are allocated once; a step allocates nothing. Not thread-safe (one session per thread).
/// </summary>
public sealed class TinyGptSession
{
    // Above this many multiply-adds a matrix-vector product is split across cores.
    internal static long ParallelThreshold = 1 << 18;

    private readonly TinyGptModel _model;
    private readonly TinyGptConfig _c;
    private readonly float[] _x, _h, _qkv, _att, _tmp, _fc, _fcTmp, _scores, _logits;
    private readonly float[][] _keys, _values; // per layer [nCtx, dModel]
    private readonly float _scale;

    internal TinyGptSession(TinyGptModel model)
    {
        _model = model;
        _c = model.Config;
        int d = _c.DModel;
        _x = new float[d];
        _h = new float[d];
        _qkv = new float[3 * d];
        _att = new float[d];
        _tmp = new float[d];
        _fc = new float[_c.DMlp];
        _fcTmp = new float[_c.DMlp];
        _scores = new float[_c.NCtx];
        _logits = new float[_c.VocabSize];
        _keys = Enumerable.Range(0, _c.NLayer).Select(_ => new float[_c.NCtx * d]).ToArray();
        _values = Enumerable.Range(0, _c.NLayer).Select(_ => new float[_c.NCtx * d]).ToArray();
        _scale = 1f / MathF.Sqrt(_c.HeadDim);
    }

    /// <summary>Number of tokens fed so far (the next token's position); at most nCtx.</summary>
    public int Position { get; private set; }

    /// <summary>Forgets every cached position (Position becomes 0).</summary>
    public void Reset() => Position = 0;

    /// <summary>Feeds one token at position <see cref="Position"/> and returns the logits for the token after it.</summary>
    /// <param name="id">Token id in [0, vocabSize).</param>
    /// <returns>Shape [vocabSize]; a view of an internal buffer, valid until the next call.</returns>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, vocabSize).</exception>
    /// <exception cref="InvalidOperationException">The session already holds nCtx positions (call <see cref="Reset"/>).</exception>
    public ReadOnlySpan<float> Append(int id)
    {
        Append(id, _logits);
        return _logits;
    }

    /// <summary>Feeds one token; writes the next-token logits into <paramref name="logits"/> unless it is empty (which skips the
    /// output head, e.g. for all but the last prompt token).</summary>
    /// <param name="id">Token id in [0, vocabSize).</param>
    /// <param name="logits">Shape [vocabSize], or empty.</param>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, vocabSize).</exception>
    /// <exception cref="ArgumentException">logits neither empty nor vocabSize long.</exception>
    /// <exception cref="InvalidOperationException">The session already holds nCtx positions.</exception>
    public void Append(int id, Span<float> logits) => Append(id, logits, null);

    internal sealed record Recorder(float[,] Embeddings, float[][,] Blocks, float[][,] Ln1, float[][,] Ln2, float[,]? FinalNorm);

    internal void Append(int id, Span<float> logits, Recorder? recorder)
    {
        if ((uint)id >= (uint)_c.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"id must lie in [0, vocabSize = {_c.VocabSize}); got {id}.");
        if (!logits.IsEmpty && logits.Length != _c.VocabSize)
            throw new ArgumentException($"logits must be empty or have length vocabSize = {_c.VocabSize}; got {logits.Length}.", nameof(logits));
        if (Position >= _c.NCtx)
            throw new InvalidOperationException($"The session holds nCtx = {_c.NCtx} positions; Reset it (or crop the context) before feeding more.");
        int d = _c.DModel, pos = Position;
        var m = _model;

        // Embedding: x = wte[id] (+ wpe[pos] or the sinusoidal PE[pos]).
        m.Wte.AsSpan(id * d, d).CopyTo(_x);
        if (m.Wpe is not null) TensorPrimitives.Add(_x, m.Wpe.AsSpan(pos * d, d), _x);
        Record(recorder?.Embeddings, pos, _x);

        for (int l = 0; l < m.Layers.Length; l++)
        {
            var L = m.Layers[l];
            if (_c.Norm == NormPlacement.PreLN)
            {
                LayerNorm(_x, L.Ln1W, L.Ln1B, _h);                 // h = LN₁(x)
                Record(recorder?.Ln1[l], pos, _h);
                Attention(l, L, _h, _tmp);                          // x = x + Attn(h)
                TensorPrimitives.Add(_x, _tmp, _x);
                LayerNorm(_x, L.Ln2W, L.Ln2B, _h);                 // h = LN₂(x)
                Record(recorder?.Ln2[l], pos, _h);
                Mlp(L, _h, _tmp);                                   // x = x + MLP(h)
                TensorPrimitives.Add(_x, _tmp, _x);
            }
            else
            {
                Attention(l, L, _x, _tmp);                          // x = LN₁(x + Attn(x))
                TensorPrimitives.Add(_x, _tmp, _x);
                LayerNorm(_x, L.Ln1W, L.Ln1B, _x);
                Record(recorder?.Ln1[l], pos, _x);
                Mlp(L, _x, _tmp);                                   // x = LN₂(x + MLP(x))
                TensorPrimitives.Add(_x, _tmp, _x);
                LayerNorm(_x, L.Ln2W, L.Ln2B, _x);
                Record(recorder?.Ln2[l], pos, _x);
            }
            Record(recorder?.Blocks[l], pos, _x);
        }
        Position++;
        if (logits.IsEmpty) return;

        float[] final = _x;
        if (m.LnFW is not null)
        {
            LayerNorm(_x, m.LnFW, m.LnFB!, _h);
            Record(recorder?.FinalNorm, pos, _h);
            final = _h;
        }
        MatVec(m.Head, _c.VocabSize, d, final, null, _logits);
        if (!logits.Overlaps(_logits)) _logits.CopyTo(logits);
    }

    // Causal self-attention for the current position: q, k, v = c_attn·h + b; k, v cached; per head
    // a = softmax(q·Kᵀ/√d_h)·V over positions 0 … pos (Vaswani et al. 2017 eq. 1); out = c_proj·a + b.
    private void Attention(int l, TinyGptModel.Layer L, float[] h, float[] output)
    {
        int d = _c.DModel, hd = _c.HeadDim, pos = Position;
        MatVec(L.AttnW, 3 * d, d, h, L.AttnB, _qkv);
        var q = _qkv.AsSpan(0, d);
        var k = _qkv.AsSpan(d, d);
        var v = _qkv.AsSpan(2 * d, d);
        if (_model.Rope is { } rope)
        {
            rope.Apply(q, pos);
            rope.Apply(k, pos);
        }
        var keys = _keys[l];
        var values = _values[l];
        k.CopyTo(keys.AsSpan(pos * d, d));
        v.CopyTo(values.AsSpan(pos * d, d));
        var scores = _scores.AsSpan(0, pos + 1);
        for (int head = 0; head < _c.NHead; head++)
        {
            int o = head * hd;
            var qh = q.Slice(o, hd);
            for (int j = 0; j <= pos; j++) scores[j] = TensorPrimitives.Dot(qh, keys.AsSpan(j * d + o, hd)) * _scale;
            Softmax.InPlace(scores);
            var ah = _att.AsSpan(o, hd);
            ah.Clear();
            for (int j = 0; j <= pos; j++) TensorPrimitives.MultiplyAdd(values.AsSpan(j * d + o, hd), scores[j], ah, ah);
        }
        MatVec(L.AttnProjW, d, d, _att, L.AttnProjB, output);
    }

    // MLP: c_proj · GELU(c_fc · h + b) + b, GELU in GPT-2's tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
    private void Mlp(TinyGptModel.Layer L, float[] h, float[] output)
    {
        int d = _c.DModel, f = _c.DMlp;
        MatVec(L.FcW, f, d, h, L.FcB, _fc);
        var x = _fc.AsSpan();
        var t = _fcTmp.AsSpan();
        TensorPrimitives.Multiply(x, x, t);                               // x²
        TensorPrimitives.Multiply(t, 0.044715f, t);
        TensorPrimitives.Add(t, 1f, t);                                   // 1 + 0.044715x²
        TensorPrimitives.Multiply(t, x, t);                               // x + 0.044715x³
        TensorPrimitives.Multiply(t, MathF.Sqrt(2f / MathF.PI), t);
        TensorPrimitives.Tanh(t, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, 0.5f, x);
        MatVec(L.MlpProjW, d, f, _fc, L.MlpProjB, output);
    }

    // LayerNorm (Ba et al. 2016 eq. 4, biased variance, as torch.nn.LayerNorm): y = (x − μ)/√(σ² + ε) · γ + β. y may alias x.
    private void LayerNorm(float[] x, float[] gamma, float[] beta, float[] y)
    {
        int n = x.Length;
        float mean = TensorPrimitives.Sum(x) / n;
        TensorPrimitives.Subtract(x, mean, y);
        float variance = TensorPrimitives.SumOfSquares(y) / n;
        float inv = 1f / MathF.Sqrt(variance + (float)_c.LayerNormEpsilon);
        TensorPrimitives.Multiply(y, inv, y);
        TensorPrimitives.FusedMultiplyAdd(y, gamma, beta, y);
    }

    // y[r] = W[r, :] · x + b[r] for W [rows, cols] row-major (nn.Linear layout); rows split across cores when large.
    private static void MatVec(float[] w, int rows, int cols, float[] x, float[]? b, float[] y)
    {
        if ((long)rows * cols < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            MatVecRows(w, cols, x, b, y, 0, rows);
            return;
        }
        int chunks = Math.Min(Environment.ProcessorCount, rows);
        Parallel.For(0, chunks, c =>
        {
            int start = (int)((long)rows * c / chunks), end = (int)((long)rows * (c + 1) / chunks);
            MatVecRows(w, cols, x, b, y, start, end);
        });
    }

    private static void MatVecRows(float[] w, int cols, float[] x, float[]? b, float[] y, int start, int end)
    {
        var xs = x.AsSpan(0, cols);
        for (int r = start; r < end; r++)
            y[r] = TensorPrimitives.Dot(w.AsSpan(r * cols, cols), xs) + (b is null ? 0f : b[r]);
    }

    private static void Record(float[,]? target, int pos, float[] row)
    {
        if (target is null) return;
        Buffer.BlockCopy(row, 0, target, pos * row.Length * sizeof(float), row.Length * sizeof(float));
    }
}
