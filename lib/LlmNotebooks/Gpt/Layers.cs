using System.Numerics.Tensors;
using LlmNotebooks.Normalization;

namespace LlmNotebooks.Gpt;

/// <summary>Which statistics BatchNorm uses (torch's model.train() / model.eval()); the other norms ignore it, and the model has no dropout.</summary>
public enum ForwardMode
{
    /// <summary>Running statistics (running_mean, running_var): each token's output depends on its own row only.</summary>
    Eval,

    /// <summary>The statistics of the call's batch: all batch · time rows, so a token's output depends on every other token,
    /// later ones included. The running statistics are not updated (the model is read-only).</summary>
    Train,
}

/// <summary>A linear layer y = x·Wᵀ + b of the model (torch nn.Linear), by its checkpoint name, e.g. "h.0.attn.c_attn".</summary>
public sealed class LinearLayer
{
    // Above this many multiply-adds a product is split across cores (rows for a batch, output features for one row).
    internal static long ParallelThreshold = 1 << 18;

    private readonly float[] _weight;
    private readonly float[]? _bias;

    internal LinearLayer(string name, float[] weight, float[]? bias, int outFeatures, int inFeatures)
    {
        Name = name;
        _weight = weight;
        _bias = bias;
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
    }

    /// <summary>Checkpoint name without ".weight", e.g. "h.0.mlp.c_fc" or "lm_head".</summary>
    public string Name { get; }

    /// <summary>Width of each input row.</summary>
    public int InFeatures { get; }

    /// <summary>Width of each output row.</summary>
    public int OutFeatures { get; }

    /// <summary>W, shape [out, in] row-major (for lm_head of a tied model: wte).</summary>
    public ReadOnlySpan<float> Weight => _weight;

    /// <summary>b, shape [out]; empty when the layer has no bias.</summary>
    public ReadOnlySpan<float> Bias => _bias;

    /// <summary>y[r, o] = Σ_i W[o, i]·x[r, i] + b[o] for every row r (float32 SIMD dot products; large products on all cores).</summary>
    /// <param name="x">Input, shape [rows, in] row-major.</param>
    /// <param name="y">Output, shape [rows, out]; must not overlap x.</param>
    /// <param name="rows">Number of rows; ≥ 1.</param>
    /// <exception cref="ArgumentException">x or y is not rows × in / rows × out long.</exception>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        Guard.Positive(rows);
        if (x.Length != rows * InFeatures) throw new ArgumentException($"x must hold rows · in = {rows} · {InFeatures} values; got {x.Length}.", nameof(x));
        if (y.Length != rows * OutFeatures) throw new ArgumentException($"y must hold rows · out = {rows} · {OutFeatures} values; got {y.Length}.", nameof(y));
        if ((long)rows * OutFeatures * InFeatures < ParallelThreshold || Environment.ProcessorCount == 1)
            Rows(x, y, 0, rows, 0, OutFeatures);
        else
            ForwardParallel(x, y, rows);
    }

    /// <summary>"h.0.mlp.c_fc [512, 128]".</summary>
    public override string ToString() => $"{Name} [{OutFeatures}, {InFeatures}]";

    // y[r, o] for rows [r0, r1) and outputs [o0, o1): one dot product per output.
    private void Rows(ReadOnlySpan<float> x, Span<float> y, int r0, int r1, int o0, int o1)
    {
        float[] w = _weight;
        float[]? b = _bias;
        int n = InFeatures, m = OutFeatures;
        for (int r = r0; r < r1; r++)
        {
            var xr = x.Slice(r * n, n);                                   // x: row r, cols 0 … in−1
            var yr = y.Slice(r * m, m);
            for (int o = o0; o < o1; o++)
                yr[o] = TensorPrimitives.Dot(w.AsSpan(o * n, n), xr) + (b is null ? 0f : b[o]); // W: row o
        }
    }

    // The same products on all cores: chunks of rows, or of outputs when there is one row. Each y element is computed by
    // one dot product either way, so the result is bit-identical to the sequential one. (Spans cannot enter a lambda: the
    // chunks get pointers into the pinned buffers.)
    private unsafe void ForwardParallel(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        int lanes = rows == 1 ? OutFeatures : rows;
        int chunks = Math.Min(Environment.ProcessorCount, lanes);
        fixed (float* px = x, py = y)
        {
            nint ax = (nint)px, ay = (nint)py;
            int xLength = x.Length, yLength = y.Length;
            Parallel.For(0, chunks, c =>
            {
                var xs = new ReadOnlySpan<float>((float*)ax, xLength);
                var ys = new Span<float>((float*)ay, yLength);
                int start = (int)((long)lanes * c / chunks), end = (int)((long)lanes * (c + 1) / chunks);
                if (rows == 1) Rows(xs, ys, 0, 1, start, end);
                else Rows(xs, ys, start, end, 0, OutFeatures);
            });
        }
    }
}

/// <summary>One norm of the model (ln_1, ln_2, ln_f): LayerNorm, RMSNorm or BatchNorm over [rows, dModel].</summary>
internal sealed class NormLayer
{
    private readonly float[] _weight;
    private readonly float[]? _bias, _runningMean, _runningInverseStd;
    private readonly float _epsilon;

    public NormLayer(string name, NormKind kind, float epsilon, float[] weight, float[]? bias, float[]? runningMean, float[]? runningVar)
    {
        Name = name;
        Kind = kind;
        _epsilon = epsilon;
        _weight = weight;
        _bias = bias;
        _runningMean = runningMean;
        if (runningVar is not null)
        {
            _runningInverseStd = new float[runningVar.Length];
            NormKernels.InverseStd(runningVar, epsilon, _runningInverseStd);
        }
    }

    public string Name { get; }

    public NormKind Kind { get; }

    /// <summary>y = norm(x) for x [rows, width]; y may be x.</summary>
    /// <exception cref="InvalidOperationException">BatchNorm in train mode on a single row (its variance would be 0).</exception>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int width, ForwardMode mode)
    {
        switch (Kind)
        {
            case NormKind.LayerNorm:
                NormKernels.LayerNorm(x, y, width, _weight, _bias, _epsilon);
                break;
            case NormKind.RMSNorm:
                NormKernels.RmsNorm(x, y, width, _weight, _epsilon);
                break;
            case NormKind.BatchNorm when mode == ForwardMode.Eval:
                NormKernels.BatchNorm(x, y, width, _runningMean, _runningInverseStd, _weight, _bias);
                break;
            case NormKind.BatchNorm:
                if (x.Length == width)
                    throw new InvalidOperationException($"{Name}: BatchNorm in train mode needs more than one row (batch · time > 1), as torch.nn.BatchNorm1d does.");
                float[] mean = new float[width], inverseStd = new float[width];
                NormKernels.ColumnStatistics(x, width, mean, inverseStd);
                NormKernels.InverseStd(inverseStd, _epsilon, inverseStd);
                NormKernels.BatchNorm(x, y, width, mean, inverseStd, _weight, _bias);
                break;
        }
    }
}
