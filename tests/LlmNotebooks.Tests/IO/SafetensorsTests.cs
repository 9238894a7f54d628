using System.Buffers.Binary;
using System.Text;
using LlmNotebooks.IO;

namespace LlmNotebooks.Tests.IO;

public class SafetensorsTests
{
    [Fact]
    public void Serialized_bytes_match_the_reference_implementations_serialization_test()
    {
        // huggingface/safetensors, safetensors/src/tensor.rs, test_serialization: one F32 tensor "attn.0" of shape [1, 2, 3]
        // serializes to an 8-byte length 64 followed by this exact header (no padding needed: 64 is a multiple of 8).
        var bytes = SafetensorsFile.Serialize([new SafetensorsEntry("attn.0", [1, 2, 3], new float[6])]);
        Assert.Equal(64ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", Encoding.UTF8.GetString(bytes, 8, 64));
        Assert.Equal(8 + 64 + 24, bytes.Length);
    }

    [Fact]
    public void Write_then_read_round_trips_names_shapes_values_and_metadata()
    {
        var path = TempFile();
        var a = Enumerable.Range(0, 12).Select(i => i * 0.25f - 1f).ToArray();
        var b = new[] { float.MaxValue, float.Epsilon, -0f };
        SafetensorsFile.Write(path, [new("w", [3, 4], a), new("b", [3], b), new("s", [], new[] { 7f })],
            new Dictionary<string, string> { ["format"] = "pt" });
        var file = SafetensorsFile.Read(path);
        Assert.Equal(["b", "s", "w"], file.Tensors.Select(t => t.Name)); // written in name order
        Assert.Equal([3L, 4L], file["w"].Shape);
        Assert.Equal(a, file["w"].ToFloat32());
        Assert.Equal(b, file["b"].ToFloat32());
        Assert.Empty(file["s"].Shape);
        Assert.Equal(7f, file["s"].ToFloat32().Single());
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(0, (new FileInfo(path).Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path))) % 4);
        File.Delete(path);
    }

    [Fact]
    public void Property_round_trip_of_random_tensors_is_exact_for_F32()
    {
        Gen.Float[-1e6f, 1e6f].Array[0, 40].Sample(values =>
        {
            var bytes = SafetensorsFile.Serialize([new SafetensorsEntry("x", [values.Length], values)]);
            Assert.Equal(values, SafetensorsFile.Parse(bytes)["x"].ToFloat32());
        });
    }

    [Theory]
    [InlineData(SafetensorsDType.F16, 1e-3)]
    [InlineData(SafetensorsDType.BF16, 8e-3)]
    public void F16_and_BF16_round_trip_within_their_precision(SafetensorsDType dType, double relative)
    {
        var values = new[] { 1f, -2.5f, 0.1f, 3.14159f, 1000f };
        var bytes = SafetensorsFile.Serialize([new SafetensorsEntry("x", [5], values)], dType: dType);
        var back = SafetensorsFile.Parse(bytes)["x"];
        Assert.Equal(dType, back.DType);
        Assert.Equal(10, back.Data.Length);
        var f = back.ToFloat32();
        for (int i = 0; i < values.Length; i++) Assert.True(Math.Abs(f[i] - values[i]) <= relative * Math.Abs(values[i]), $"{values[i]} → {f[i]}");
        Assert.Equal(1f, f[0]); // powers of two are exact in both
    }

    [Fact]
    public void Missing_file_throws_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".safetensors")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(95)]
    public void Truncated_bytes_throw_InvalidData(int keep)
    {
        var bytes = SafetensorsFile.Serialize([new SafetensorsEntry("attn.0", [1, 2, 3], new float[6])]); // 96 bytes
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes.AsMemory(0, keep), "cut.safetensors"));
        Assert.Contains("cut.safetensors", e.Message);
        Assert.True(e.Message.Contains("truncated") || e.Message.Contains("out of range") || e.Message.Contains("cover"), e.Message);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12, "shape [2] × F32")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "out of range")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6, "overlaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "cover 4")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "integer ≥ 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "begin ≤ end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "twice")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "not a string")]
    [InlineData("[1,2]", 0, "not a JSON object")]
    [InlineData("{\"a\":", 0, "not valid JSON")]
    public void Malformed_headers_throw_InvalidData_naming_the_problem(string header, int bufferBytes, string why)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + bufferBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes, "bad.safetensors"));
        Assert.Contains(why, e.Message);
    }

    // The header spells a dtype exactly as huggingface/safetensors' Dtype enum serializes it ("BF16", "F32", ...). Each
    // spelling below once parsed through Enum.TryParse: "F32,F16" as the flag combination F32 | F16 = 1 | 2 = BF16,
    // " BF16" / "BF16 " with the padding trimmed, "bf16" case-insensitively is not accepted there but must fail here too,
    // and "3" as a number. Every one is 2 bytes per element if read as BF16, so only the dtype check can reject it.
    [Theory]
    [InlineData("F32,F16")]
    [InlineData("F32, F16")]
    [InlineData(" BF16")]
    [InlineData("BF16 ")]
    [InlineData("bf16")]
    [InlineData("3")]
    [InlineData("")]
    public void A_dtype_must_be_spelled_exactly(string dtype)
    {
        var h = Encoding.UTF8.GetBytes("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,2]}}");
        var bytes = new byte[8 + h.Length + 2];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes, "bad.safetensors"));
        Assert.Contains($"unknown dtype \"{dtype}\"", e.Message);
        Assert.Contains("BF16", e.Message); // the allowed spellings are listed
    }

    [Theory]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,2]}}")]
    [InlineData("{\"a\":{\"dtype\":16,\"shape\":[1],\"data_offsets\":[0,2]}}")]
    [InlineData("{\"a\":{\"dtype\":null,\"shape\":[1],\"data_offsets\":[0,2]}}")]
    public void A_missing_or_non_string_dtype_is_rejected(string header)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + 2];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        Assert.Contains("no dtype string", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes, "bad.safetensors")).Message);
    }

    [Fact]
    public void Every_dtype_name_parses_to_itself()
    {
        foreach (var dType in Enum.GetValues<SafetensorsDType>())
        {
            int size = SafetensorsFile.ElementSize(dType);
            var h = Encoding.UTF8.GetBytes($"{{\"a\":{{\"dtype\":\"{dType}\",\"shape\":[1],\"data_offsets\":[0,{size}]}}}}");
            var bytes = new byte[8 + h.Length + size];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
            h.CopyTo(bytes, 8);
            Assert.Equal(dType, SafetensorsFile.Parse(bytes)["a"].DType);
        }
    }

    [Fact]
    public void A_header_length_over_the_limit_is_rejected_before_reading_it()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains("exceeds", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes)).Message);
    }

    [Fact]
    public void Writer_rejects_bad_tensors_and_leaves_an_existing_file_untouched()
    {
        var path = TempFile();
        SafetensorsFile.Write(path, [new SafetensorsEntry("ok", [1], new[] { 1f })]);
        var before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new SafetensorsEntry("x", [2], new[] { 1f, float.NaN })]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new SafetensorsEntry("x", [3], new[] { 1f })]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new SafetensorsEntry("x", [1], new[] { 1f }), new SafetensorsEntry("x", [1], new[] { 1f })]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new SafetensorsEntry("__metadata__", [1], new[] { 1f })]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new SafetensorsEntry("x", [1], new[] { 1f })], dType: SafetensorsDType.I32));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*" + Path.GetFileName(path) + "*"));
        File.Delete(path);
    }

    // Boundaries checked against PyTorch 1.13 (Debian python3): torch.tensor(x).half() and .bfloat16(), both round to
    // nearest even. F16's largest finite value is 65504; 65519.996 (the float below 65520) rounds down to it, 65520
    // (the midpoint to 2^16) ties to even = Inf. BF16's largest finite value is 0x7F7F = 3.3895314e38; the float 0x7F7F7FFF
    // rounds down to it, 0x7F7F8000 (the midpoint) ties to even = Inf, as do 3.4e38 and float.MaxValue.
    [Theory]
    [InlineData(SafetensorsDType.F16, 65504f, 65504f)]
    [InlineData(SafetensorsDType.F16, 65519.996f, 65504f)]
    [InlineData(SafetensorsDType.F16, -65519.996f, -65504f)]
    [InlineData(SafetensorsDType.BF16, 3.3961773e38f, 3.3895314e38f)]
    [InlineData(SafetensorsDType.BF16, -3.3961773e38f, -3.3895314e38f)]
    public void Values_that_round_to_the_largest_finite_F16_or_BF16_value_are_written(SafetensorsDType dType, float value, float stored)
    {
        var bytes = SafetensorsFile.Serialize([new SafetensorsEntry("x", [2], new[] { 1f, value })], dType: dType);
        Assert.Equal([1f, stored], SafetensorsFile.Parse(bytes)["x"].ToFloat32());
    }

    [Theory]
    [InlineData(SafetensorsDType.F16, 65520f, "65504")]
    [InlineData(SafetensorsDType.F16, 1e5f, "65504")]
    [InlineData(SafetensorsDType.F16, -1e5f, "65504")]
    [InlineData(SafetensorsDType.BF16, 3.3961775e38f, "3.3895314E+38")]
    [InlineData(SafetensorsDType.BF16, 3.4e38f, "3.3895314E+38")]
    [InlineData(SafetensorsDType.BF16, -float.MaxValue, "3.3895314E+38")]
    public void Values_that_overflow_F16_or_BF16_are_rejected_naming_tensor_index_and_range(SafetensorsDType dType, float value, string max)
    {
        var path = TempFile();
        try
        {
            SafetensorsFile.Write(path, [new SafetensorsEntry("ok", [1], new[] { 1f })]);
            var before = File.ReadAllBytes(path);
            var e = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path,
                [new SafetensorsEntry("a", [1], new[] { 0f }), new SafetensorsEntry("wte.weight", [3], new[] { 1f, 2f, value })], dType: dType));
            Assert.Equal("tensors", e.ParamName);
            Assert.Contains("'wte.weight'", e.Message);
            Assert.Contains("index 2", e.Message);
            Assert.Contains(dType.ToString(), e.Message);
            Assert.Contains(max, e.Message);
            Assert.Equal(before, File.ReadAllBytes(path)); // nothing written
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*" + Path.GetFileName(path) + "*"));
            Assert.Throws<ArgumentException>(() => SafetensorsFile.Serialize([new SafetensorsEntry("x", [1], new[] { value })], dType: dType));
            // The same values are fine as F32.
            Assert.Equal(value, SafetensorsFile.Parse(SafetensorsFile.Serialize([new SafetensorsEntry("x", [1], new[] { value })]))["x"].ToFloat32()[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Property over all finite floats: a write either fails (exactly when |x| reaches the midpoint above the largest finite
    // value: 65520 for F16, 0x7F7F8000 for BF16) or stores a finite value.
    [Theory]
    [InlineData(SafetensorsDType.F16, 65520f)]
    [InlineData(SafetensorsDType.BF16, 3.3961775e38f)]
    public void Property_a_write_is_rejected_exactly_when_the_value_would_become_infinite(SafetensorsDType dType, float threshold)
    {
        Gen.Select(Gen.Float, Gen.Float[-70000f, 70000f]).Sample((wide, near) =>
        {
            foreach (var value in new[] { wide, near })
            {
                if (!float.IsFinite(value)) continue;
                var entry = new SafetensorsEntry("x", [1], new[] { value });
                if (Math.Abs(value) >= threshold)
                    Assert.Throws<ArgumentException>(() => SafetensorsFile.Serialize([entry], dType: dType));
                else
                    Assert.True(float.IsFinite(SafetensorsFile.Parse(SafetensorsFile.Serialize([entry], dType: dType))["x"].ToFloat32()[0]), $"{value}");
            }
        });
    }

    [Fact]
    public void Integer_tensors_parse_but_do_not_convert_to_float()
    {
        var h = Encoding.UTF8.GetBytes("{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        var bytes = new byte[8 + h.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var t = SafetensorsFile.Parse(bytes)["i"];
        Assert.Equal(SafetensorsDType.I32, t.DType);
        Assert.Throws<NotSupportedException>(() => t.ToFloat32());
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "st-" + Guid.NewGuid().ToString("N") + ".safetensors");
}
