using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmNotebooks.IO;

/// <summary>Element types of the safetensors format (huggingface/safetensors, docs "Format"), by their header spelling.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 binary64, 8 bytes.</summary>
    F64,
    /// <summary>IEEE 754 binary32, 4 bytes.</summary>
    F32,
    /// <summary>IEEE 754 binary16, 2 bytes.</summary>
    F16,
    /// <summary>bfloat16 (the upper 16 bits of a binary32), 2 bytes.</summary>
    BF16,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Boolean, 1 byte.</summary>
    BOOL,
}

/// <summary>One tensor of a safetensors file: name, element type, shape and its raw little-endian bytes.</summary>
public sealed class SafetensorsTensor
{
    internal SafetensorsTensor(string name, SafetensorsDType dType, long[] shape, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DType = dType;
        Shape = shape;
        Data = data;
    }

    /// <summary>The tensor's name, e.g. "h.0.attn.c_attn.weight".</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>Shape, outermost dimension first (row-major); empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The raw bytes, little-endian, row-major; length = ElementCount × element size.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The values converted to float32 (F32 copied; F16, BF16 widened exactly; F64 rounded to nearest).</summary>
    /// <returns>Shape [ElementCount], row-major.</returns>
    /// <exception cref="NotSupportedException">The element type is an integer or boolean type.</exception>
    public float[] ToFloat32()
    {
        var bytes = Data.Span;
        var result = new float[ElementCount];
        switch (DType)
        {
            case SafetensorsDType.F32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case SafetensorsDType.BF16:
                for (int i = 0; i < result.Length; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new NotSupportedException($"Tensor '{Name}' has element type {DType}; only F32, F16, BF16 and F64 convert to float32.");
        }
        return result;
    }
}

/// <summary>A float32 tensor to write: its name, shape (row-major) and values.</summary>
/// <param name="Name">Unique tensor name, e.g. "wte.weight".</param>
/// <param name="Shape">Dimensions, outermost first; each ≥ 0; their product must equal Values.Length.</param>
/// <param name="Values">The values, row-major.</param>
public sealed record SafetensorsEntry(string Name, int[] Shape, ReadOnlyMemory<float> Values);

/// <summary>
/// Reader and writer for the safetensors format (huggingface/safetensors, "Format" section of its README):
/// an 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON mapping each tensor name to
/// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the byte buffer that follows the header)
/// plus an optional "__metadata__" string-to-string map, then the byte buffer. Validation is strict: a truncated file,
/// a header that is not such JSON, an unknown dtype, offsets out of range, overlapping or leaving holes, or a byte
/// length that is not shape × dtype size all throw <see cref="InvalidDataException"/> naming the file and the tensor.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Largest header accepted, in bytes (the reference implementation's limit: 100,000,000).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private static readonly Dictionary<string, SafetensorsDType> DTypesByName =
        Enum.GetValues<SafetensorsDType>().ToDictionary(d => d.ToString(), StringComparer.Ordinal);
    private readonly Dictionary<string, SafetensorsTensor> _byName;

    private SafetensorsFile(List<SafetensorsTensor> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The "__metadata__" map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists how many there are.</exception>
    public SafetensorsTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No tensor named '{name}' among the {Tensors.Count} tensors.");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, out SafetensorsTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or malformed (see the class summary).</exception>
    public static SafetensorsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates safetensors bytes; tensors keep slices of <paramref name="bytes"/> (no copy).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="source">Name used in error messages (e.g. the path).</param>
    /// <exception cref="InvalidDataException">The bytes are truncated or malformed (see the class summary).</exception>
    public static SafetensorsFile Parse(ReadOnlyMemory<byte> bytes, string source = "<bytes>")
    {
        var span = bytes.Span;
        if (span.Length < 8)
            throw Bad(source, $"truncated: {span.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > MaxHeaderBytes)
            throw Bad(source, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        if ((ulong)span.Length - 8 < headerLength)
            throw Bad(source, $"truncated: header claims {headerLength} bytes but only {span.Length - 8} follow");
        int bufferStart = 8 + (int)headerLength;
        long bufferLength = span.Length - bufferStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.Slice(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw Bad(source, $"header is not valid JSON ({e.Message})", e);
        }

        var tensors = new List<(SafetensorsTensor Tensor, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "header is not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw Bad(source, $"header lists '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(source, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw Bad(source, $"__metadata__ value '{m.Name}' is not a string");
                    continue;
                }
                tensors.Add(ParseEntry(prop, source, bytes, bufferStart, bufferLength));
            }
        }

        // Offsets must tile the buffer exactly: sorted by begin, each tensor starts where the previous one ended.
        var ordered = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long expected = 0;
        foreach (var (tensor, begin, end) in ordered)
        {
            if (begin < expected)
                throw Bad(source, $"tensor '{tensor.Name}' (bytes [{begin}, {end})) overlaps the previous tensor, which ends at {expected}");
            if (begin > expected)
                throw Bad(source, $"bytes [{expected}, {begin}) before tensor '{tensor.Name}' belong to no tensor");
            expected = end;
        }
        if (expected != bufferLength)
            throw Bad(source, $"the byte buffer has {bufferLength} bytes but the tensors cover {expected}");
        return new SafetensorsFile(tensors.Select(t => t.Tensor).ToList(), metadata);
    }

    /// <summary>
    /// Writes float32 tensors (dtype F32, or F16 / BF16 rounded to nearest even when <paramref name="dType"/> says so)
    /// in name order, header padded with spaces to a multiple of 8 bytes. Atomic: writes a temporary file in the same
    /// folder, then renames it over <paramref name="path"/>, so a failure leaves no half-written file.
    /// </summary>
    /// <param name="path">Destination file; its folder must exist.</param>
    /// <param name="tensors">The tensors; names unique and not "__metadata__"; shapes match value counts; values finite.</param>
    /// <param name="metadata">Optional "__metadata__" entries.</param>
    /// <param name="dType">Stored element type: F32 (default), F16 or BF16.</param>
    /// <exception cref="ArgumentException">Duplicate or reserved name, negative dimension, shape product ≠ value count,
    /// a NaN/Inf value, a value that rounds to ±Inf in dType (F16: |x| ≥ 65520, max finite 65504; BF16: |x| ≥ 3.3961775e38,
    /// max finite 3.3895314e38; the message names the tensor, the index and the range), or a dType other than F32/F16/BF16.
    /// Nothing is written then.</exception>
    /// <exception cref="DirectoryNotFoundException">The destination folder does not exist.</exception>
    public static void Write(string path, IEnumerable<SafetensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafetensorsDType dType = SafetensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.WriteAllBytes(path, Serialize(tensors, metadata, dType));
    }

    /// <summary>The bytes <see cref="Write"/> would write (same validation and layout).</summary>
    /// <exception cref="ArgumentException">As for <see cref="Write"/>.</exception>
    public static byte[] Serialize(IEnumerable<SafetensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafetensorsDType dType = SafetensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (dType is not (SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16))
            throw new ArgumentException($"dType must be F32, F16 or BF16; got {dType}.", nameof(dType));
        int size = ElementSize(dType);
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (string.IsNullOrEmpty(t.Name) || t.Name == MetadataKey)
                throw new ArgumentException($"Tensor name must be non-empty and not '{MetadataKey}'; got '{t.Name}'.", nameof(tensors));
            if (!seen.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' appears twice.", nameof(tensors));
            if (t.Shape.Any(d => d < 0))
                throw new ArgumentException($"Tensor '{t.Name}' has a negative dimension in shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
            long count = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != t.Values.Length)
                throw new ArgumentException($"Tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] ({count} elements) but {t.Values.Length} values.", nameof(tensors));
            var values = t.Values.Span;
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                    throw new ArgumentException($"Tensor '{t.Name}' holds a non-finite value at index {i}: {values[i]}.", nameof(tensors));
                if (Overflows(values[i], dType))
                {
                    string max = MaxFinite(dType).ToString(CultureInfo.InvariantCulture);
                    throw new ArgumentException(
                        $"Tensor '{t.Name}' holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}, which rounds (to nearest even) to ±Inf in {dType}; " +
                        $"{dType} represents finite values in [−{max}, {max}] (|x| ≥ {OverflowThreshold(dType).ToString(CultureInfo.InvariantCulture)} overflows). " +
                        "Scale the tensor or write it as F32.", nameof(tensors));
                }
            }
        }

        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", dType.ToString());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += (long)t.Values.Length * size;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int headerLength = (int)header.Length;
        int padded = (headerLength + 7) / 8 * 8;
        long total = 8 + padded + list.Sum(t => (long)t.Values.Length * size);
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.GetBuffer().AsSpan(0, headerLength).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
        int pos = 8 + padded;
        foreach (var t in list)
        {
            var values = t.Values.Span;
            for (int i = 0; i < values.Length; i++, pos += size)
            {
                switch (dType)
                {
                    case SafetensorsDType.F32: BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(pos), values[i]); break;
                    case SafetensorsDType.F16: BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(pos), (Half)values[i]); break;
                    default: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(pos), ToBFloat16(values[i])); break;
                }
            }
        }
        return bytes;
    }

    /// <summary>Size of one element of <paramref name="dType"/>, in bytes.</summary>
    public static int ElementSize(SafetensorsDType dType) => dType switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.I16 => 2,
        SafetensorsDType.I8 or SafetensorsDType.U8 or SafetensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dType), dType, "Unknown safetensors dtype."),
    };

    // True when a finite float32 becomes ±Inf once rounded to nearest even in dType (F16: |x| ≥ 65520; BF16: |x| ≥ 0x7F7F8000).
    private static bool Overflows(float value, SafetensorsDType dType) => dType switch
    {
        SafetensorsDType.F16 => Half.IsInfinity((Half)value),
        SafetensorsDType.BF16 => (ToBFloat16(value) & 0x7FFF) == 0x7F80,
        _ => false,
    };

    // Largest finite value of F16 (0x7BFF = 65504) or BF16 (0x7F7F = 3.3895314e38), as a float32.
    private static float MaxFinite(SafetensorsDType dType) =>
        dType == SafetensorsDType.F16 ? (float)Half.MaxValue : BitConverter.UInt32BitsToSingle(0x7F7F0000);

    // Smallest float32 magnitude that rounds to Inf: the midpoint between the largest finite value and the next power of two.
    private static float OverflowThreshold(SafetensorsDType dType) =>
        dType == SafetensorsDType.F16 ? 65520f : BitConverter.UInt32BitsToSingle(0x7F7F8000);

    // Round-to-nearest-even truncation of a binary32 to its upper 16 bits (finite inputs only).
    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    private static (SafetensorsTensor, long, long) ParseEntry(JsonProperty prop, string source, ReadOnlyMemory<byte> bytes, int bufferStart, long bufferLength)
    {
        string name = prop.Name;
        var e = prop.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Bad(source, $"header entry '{name}' is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad(source, $"tensor '{name}' has no dtype string");
        // Exact, case-sensitive names only: Enum.TryParse would also accept flag lists ("F32,F16" = 1 | 2 = BF16),
        // surrounding spaces and numbers.
        string dtName = dt.GetString()!;
        if (!DTypesByName.TryGetValue(dtName, out var dType))
            throw Bad(source, $"tensor '{name}' has an unknown dtype \"{dtName}\" (allowed, spelled exactly: {string.Join(", ", Enum.GetNames<SafetensorsDType>())})");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad(source, $"tensor '{name}' has no shape array");
        var shape = new long[sh.GetArrayLength()];
        int k = 0;
        foreach (var d in sh.EnumerateArray())
            shape[k++] = d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var dim) && dim >= 0
                ? dim
                : throw Bad(source, $"tensor '{name}' has a shape entry that is not an integer ≥ 0");
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(source, $"tensor '{name}' has no [begin, end] data_offsets");
        var o = off.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var v) && v >= 0 ? v : -1).ToArray();
        long begin = o[0], end = o[1];
        if (begin < 0 || end < 0 || end < begin)
            throw Bad(source, $"tensor '{name}' has invalid data_offsets (need 0 ≤ begin ≤ end)");
        if (end > bufferLength)
            throw Bad(source, $"tensor '{name}' ends at byte {end} but the byte buffer has only {bufferLength} bytes (truncated file or offset out of range)");
        long elements = 1;
        foreach (var d in shape) elements = checked(elements * d);
        long expectedBytes = checked(elements * ElementSize(dType));
        if (end - begin != expectedBytes)
            throw Bad(source, $"tensor '{name}' has shape [{string.Join(", ", shape)}] × {dType} ({ElementSize(dType)} bytes) = {expectedBytes} bytes but data_offsets span {end - begin} bytes");
        var data = bytes.Slice(bufferStart + (int)begin, (int)(end - begin));
        return (new SafetensorsTensor(name, dType, shape, data), begin, end);
    }

    private static InvalidDataException Bad(string source, string why, Exception? inner = null) =>
        new($"Invalid safetensors file {source}: {why}.", inner);
}
