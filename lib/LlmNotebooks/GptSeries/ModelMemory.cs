using LlmNotebooks.Gpt;

namespace LlmNotebooks.GptSeries;

/// <summary>Storage formats for weights and cached keys/values, by bits per element.</summary>
public enum NumericPrecision
{
    /// <summary>IEEE 754 single precision: 32 bits = 4 bytes.</summary>
    Fp32,

    /// <summary>IEEE 754 half precision (bf16 has the same size): 16 bits = 2 bytes.</summary>
    Fp16,

    /// <summary>8-bit integer: 1 byte.</summary>
    Int8,

    /// <summary>4-bit integer, two per byte: 0.5 bytes.</summary>
    Int4,
}

/// <summary>One row of a weight-memory table: a parameter count stored at one precision.</summary>
/// <param name="Precision">Storage format.</param>
/// <param name="BitsPerParameter">32, 16, 8 or 4.</param>
/// <param name="Bytes">⌈N · bits / 8⌉, bytes.</param>
/// <param name="Gigabytes">Bytes / 1e9 (decimal GB).</param>
/// <param name="Gibibytes">Bytes / 2^30 (GiB).</param>
public sealed record WeightMemoryRow(NumericPrecision Precision, int BitsPerParameter, long Bytes, double Gigabytes, double Gibibytes);

/// <summary>
/// Memory to hold a model: the weights at a given precision, and the KV cache that autoregressive decoding keeps.
/// </summary>
/// <remarks>
/// Weights: bytes = ⌈N · bitsPerElement / 8⌉. Quantized formats also store scales (and zero points) per group or channel;
/// those few extra bytes are not included. GPT-3 175B at fp16: 174,604,259,328 · 2 = 349,208,518,656 bytes ≈ 349 GB.
/// KV cache: every layer stores one key and one value vector per head per past token, so per token
/// bytes = 2 · nLayer · nKvHead · dHead · bytesPerElement. Standard multi-head attention (GPT-1/2/3: every head has
/// its own K and V, nKvHead = nHead, nKvHead · dHead = dModel) gives 2 · nLayer · dModel · bytesPerElement.
/// Multi-query (nKvHead = 1) and grouped-query attention (1 &lt; nKvHead &lt; nHead) shrink it by nHead / nKvHead.
/// A sliding-window layer keeps at most its window of tokens, so past the window only the dense layers grow
/// (<see cref="KvCacheGrowthPerToken"/>): gpt-oss-120b at bf16, 18 dense layers · 2 · 8 · 64 · 2 bytes = 36,864 bytes per token.
/// </remarks>
public static class ModelMemory
{
    /// <summary>Bits per element: 32, 16, 8 or 4.</summary>
    /// <param name="precision">Storage format.</param>
    /// <returns>Bits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    public static int BitsPerElement(NumericPrecision precision) => precision switch
    {
        NumericPrecision.Fp32 => 32,
        NumericPrecision.Fp16 => 16,
        NumericPrecision.Int8 => 8,
        NumericPrecision.Int4 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "precision must be Fp32, Fp16, Int8 or Int4."),
    };

    /// <summary>Bytes per element: 4, 2, 1 or 0.5.</summary>
    /// <param name="precision">Storage format.</param>
    /// <returns>Bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    public static double BytesPerElement(NumericPrecision precision) => BitsPerElement(precision) / 8.0;

    /// <summary>Bytes to hold <paramref name="parameters"/> weights: ⌈N · bits / 8⌉ (scales of quantized formats not included).</summary>
    /// <param name="parameters">N, ≥ 0.</param>
    /// <param name="precision">Storage format.</param>
    /// <returns>Bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> &lt; 0, the result overflows Int64, or precision is undefined.</exception>
    public static long WeightBytes(long parameters, NumericPrecision precision)
    {
        if (parameters < 0)
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters must be ≥ 0; got {parameters}.");
        int bits = BitsPerElement(precision);
        // ⌈N·bits/8⌉ = (N/8)·bits + ⌈(N mod 8)·bits/8⌉, so that N·bits is never formed (it overflows for N > Int64.MaxValue / 32).
        try
        {
            return checked(parameters / 8 * bits + (parameters % 8 * bits + 7) / 8);
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters,
                $"parameters is too large: {parameters} weights at {bits} bits overflow Int64 bytes.");
        }
    }

    /// <summary>Bytes to hold <paramref name="parameters"/> weights at a fractional bit width: ⌈N · bits / 8⌉, e.g. MXFP4's
    /// 4.25 bits (4-bit values plus one 8-bit scale per block of 32; gpt-oss model card arXiv:2508.10925 §2.1).</summary>
    /// <param name="parameters">N, ≥ 0.</param>
    /// <param name="bitsPerParameter">Bits per weight, in (0, 64].</param>
    /// <returns>Bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> &lt; 0, bits outside (0, 64] or NaN, or the result overflows Int64.</exception>
    public static long WeightBytes(long parameters, double bitsPerParameter)
    {
        if (parameters < 0)
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters must be ≥ 0; got {parameters}.");
        if (!(bitsPerParameter > 0 && bitsPerParameter <= 64))
            throw new ArgumentOutOfRangeException(nameof(bitsPerParameter), bitsPerParameter, $"bitsPerParameter must lie in (0, 64]; got {bitsPerParameter}.");
        decimal bytes = Math.Ceiling(parameters * (decimal)bitsPerParameter / 8m); // decimal: exact for 4.25 bits, no overflow below 64
        if (bytes > long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters is too large: {parameters} weights at {bitsPerParameter} bits overflow Int64 bytes.");
        return (long)bytes;
    }

    /// <summary>Weight memory of <paramref name="parameters"/> at fp32, fp16, int8 and int4.</summary>
    /// <param name="parameters">N, ≥ 0.</param>
    /// <returns>Four rows, fp32 first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> &lt; 0.</exception>
    public static IReadOnlyList<WeightMemoryRow> WeightMemoryTable(long parameters) =>
        Enum.GetValues<NumericPrecision>().Select(p =>
        {
            long bytes = WeightBytes(parameters, p);
            return new WeightMemoryRow(p, BitsPerElement(p), bytes, bytes / 1e9, bytes / (double)(1L << 30));
        }).ToArray();

    /// <summary>KV-cache bytes per token: 2 · nLayer · nKvHead · dHead · bytesPerElement (keys and values of every layer).</summary>
    /// <param name="nLayer">Layers, ≥ 1.</param>
    /// <param name="nKvHead">Key/value heads, ≥ 1 (= nHead for multi-head, 1 for multi-query attention).</param>
    /// <param name="dHead">Width of one head, ≥ 1.</param>
    /// <param name="precision">Format of the cached keys and values.</param>
    /// <returns>Bytes per cached token (per sequence).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is &lt; 1, precision is undefined, or the result overflows Int64.</exception>
    public static long KvCacheBytesPerToken(int nLayer, int nKvHead, int dHead, NumericPrecision precision)
    {
        Guard.Positive(nLayer);
        Guard.Positive(nKvHead);
        Guard.Positive(dHead);
        int bits = BitsPerElement(precision);
        try
        {
            return checked(2L * nLayer * nKvHead * dHead * bits) / 8;
        }
        catch (OverflowException e)
        {
            throw new ArgumentOutOfRangeException($"2 · nLayer · nKvHead · dHead = 2·{nLayer}·{nKvHead}·{dHead} elements overflow Int64 bytes.", e);
        }
    }

    /// <summary>
    /// KV-cache bytes per cached token of a config while the context fits every window: 2 · nLayer · nKvHead · dHead ·
    /// bytesPerElement, which is 2 · nLayer · dModel · bytesPerElement for multi-head attention (GPT-1/2/3).
    /// GPT-2 small at fp32: 2·12·768·4 = 73,728 bytes; GPT-3 175B at fp16: 2·96·12288·2 = 4,718,592 bytes (4.5 MiB);
    /// gpt-oss-120b at bf16: 2·36·8·64·2 = 73,728 bytes.
    /// </summary>
    /// <param name="config">The model.</param>
    /// <param name="precision">Format of the cached keys and values.</param>
    /// <returns>Bytes per cached token (per sequence).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">precision is undefined.</exception>
    public static long KvCacheBytesPerToken(GptConfig config, NumericPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return KvCacheBytesPerToken(config.NLayer, config.NKvHead, config.DHead, precision);
    }

    /// <summary>
    /// KV-cache bytes each further token adds once the context is longer than every sliding window: only the layers that
    /// attend to the whole context grow, 2 · nDenseLayers · nKvHead · dHead · bytesPerElement. Equals
    /// <see cref="KvCacheBytesPerToken(GptConfig, NumericPrecision)"/> without sliding windows; gpt-oss-120b at bf16:
    /// 18 dense layers → 36,864 bytes, and 294,912 with 64 KV heads (no GQA).
    /// </summary>
    /// <param name="config">The model.</param>
    /// <param name="precision">Format of the cached keys and values.</param>
    /// <returns>Bytes per token of context beyond the windows (per sequence); 0 when every layer slides.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid or precision is undefined.</exception>
    public static long KvCacheGrowthPerToken(GptConfig config, NumericPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int dense = Enumerable.Range(0, config.NLayer).Count(l => config.AttentionWindow(l) == config.NCtx);
        return dense == 0 ? 0 : KvCacheBytesPerToken(dense, config.NKvHead, config.DHead, precision);
    }

    /// <summary>KV-cache bytes for a batch of sequences: Σ over layers of min(seqLen, window) · 2 · nKvHead · dHead ·
    /// bytesPerElement, times batchSize (window = nCtx except on sliding-window layers); KvCacheBytesPerToken · seqLen ·
    /// batchSize for a model without sliding windows.</summary>
    /// <param name="config">The model.</param>
    /// <param name="seqLen">Cached tokens per sequence, 1 ≤ seqLen ≤ config.NCtx.</param>
    /// <param name="batchSize">Sequences, ≥ 1.</param>
    /// <param name="precision">Format of the cached keys and values.</param>
    /// <returns>Bytes. GPT-3 175B, fp16, one full 2,048-token context: 9,663,676,416 bytes (9 GiB).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">seqLen outside [1, nCtx], batchSize &lt; 1, precision undefined, or the result overflows Int64.</exception>
    public static long KvCacheBytes(GptConfig config, int seqLen, int batchSize, NumericPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(config);
        Guard.Positive(seqLen);
        Guard.Positive(batchSize);
        if (seqLen > config.NCtx)
            throw new ArgumentOutOfRangeException(nameof(seqLen), seqLen, $"seqLen must be ≤ nCtx = {config.NCtx} for {config.Name}; got {seqLen}.");
        long perLayerToken = KvCacheBytesPerToken(1, config.NKvHead, config.DHead, precision);
        try
        {
            long tokens = 0;
            for (int layer = 0; layer < config.NLayer; layer++) tokens = checked(tokens + Math.Min(seqLen, config.AttentionWindow(layer)));
            return checked(perLayerToken * tokens * batchSize);
        }
        catch (OverflowException e)
        {
            throw new ArgumentOutOfRangeException($"seqLen · batchSize = {(long)seqLen * batchSize} tokens overflow Int64 bytes for {config.Name}.", e);
        }
    }
}
