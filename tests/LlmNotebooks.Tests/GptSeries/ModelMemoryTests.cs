using CsCheck;
using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.GptSeries;

public class ModelMemoryTests
{
    [Fact]
    public void Gpt3_175B_weights_at_each_precision()
    {
        // N = 174,604,259,328 (Gpt3PaperTests): ·4, ·2, ·1, ·0.5 bytes. fp16 ≈ 349 GB, the "350 GB" usually quoted.
        long n = Gpt3Paper.Models[^1].ParameterCount.Total;
        Assert.Equal(698_417_037_312, ModelMemory.WeightBytes(n, NumericPrecision.Fp32));
        Assert.Equal(349_208_518_656, ModelMemory.WeightBytes(n, NumericPrecision.Fp16));
        Assert.Equal(174_604_259_328, ModelMemory.WeightBytes(n, NumericPrecision.Int8));
        Assert.Equal(87_302_129_664, ModelMemory.WeightBytes(n, NumericPrecision.Int4));

        var table = ModelMemory.WeightMemoryTable(n);
        Assert.Equal([32, 16, 8, 4], table.Select(r => r.BitsPerParameter));
        Assert.Equal(349.2, table[1].Gigabytes, 0.05); // as printed: rounds to 349.2
        Assert.Equal(325.2, table[1].Gibibytes, 0.05);
    }

    [Fact]
    public void Gpt2_small_fp32_weights()
    {
        Assert.Equal(124_439_808L * 4, ModelMemory.WeightBytes(GptModels.Gpt2.CountParameters().Total, NumericPrecision.Fp32)); // 497,759,232
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]   // half a byte still takes a byte
    [InlineData(3L, 2L)]
    [InlineData(4L, 2L)]
    public void Int4_rounds_up_to_whole_bytes(long parameters, long bytes) =>
        Assert.Equal(bytes, ModelMemory.WeightBytes(parameters, NumericPrecision.Int4));

    [Fact]
    public void Weight_bytes_do_not_overflow_near_int64_max()
    {
        long n = long.MaxValue / 4; // ·4 bytes still fits, N·32 bits would not
        Assert.Equal(n * 4, ModelMemory.WeightBytes(n, NumericPrecision.Fp32));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.WeightBytes(long.MaxValue, NumericPrecision.Fp32));
    }

    [Fact]
    public void Kv_cache_per_token_multi_head_by_hand()
    {
        // 2 (K and V) · nLayer · dModel · bytes per element.
        Assert.Equal(2L * 12 * 768 * 4, ModelMemory.KvCacheBytesPerToken(GptModels.Gpt2, NumericPrecision.Fp32));      // 73,728
        Assert.Equal(2L * 48 * 1600 * 2, ModelMemory.KvCacheBytesPerToken(GptModels.Gpt2Xl, NumericPrecision.Fp16));    // 307,200
        var gpt3 = Gpt3Paper.Models[^1].Config;
        Assert.Equal(4_718_592, ModelMemory.KvCacheBytesPerToken(gpt3, NumericPrecision.Fp16));                           // 2·96·12288·2 = 4.5 MiB
        Assert.Equal(9_663_676_416, ModelMemory.KvCacheBytes(gpt3, 2048, 1, NumericPrecision.Fp16));                      // full context: 9 GiB
        Assert.Equal(9L << 30, ModelMemory.KvCacheBytes(gpt3, 2048, 1, NumericPrecision.Fp16));
        Assert.Equal(2L * 96 * 12288 / 2, ModelMemory.KvCacheBytesPerToken(gpt3, NumericPrecision.Int4));
    }

    [Fact]
    public void Kv_cache_grouped_query_attention_by_hand()
    {
        // Llama-3-8B (meta-llama config.json: 32 layers, 32 query heads, 8 key/value heads, head size 4096/32 = 128), fp16:
        // 2 · 32 · 8 · 128 · 2 = 131,072 bytes per token, a quarter of the 524,288 a multi-head model of that shape would need.
        Assert.Equal(131_072, ModelMemory.KvCacheBytesPerToken(32, 8, 128, NumericPrecision.Fp16));
        Assert.Equal(524_288, ModelMemory.KvCacheBytesPerToken(32, 32, 128, NumericPrecision.Fp16));
    }

    [Fact]
    public void Kv_cache_scales_with_kv_heads_tokens_and_batch()
    {
        Gen.Select(Gen.Int[1, 100], Gen.Int[1, 64], Gen.Int[1, 256], Gen.Int[1, 8]).Sample((nLayer, nHead, dHead, group) =>
        {
            long mha = ModelMemory.KvCacheBytesPerToken(nLayer, nHead * group, dHead, NumericPrecision.Fp16);
            long gqa = ModelMemory.KvCacheBytesPerToken(nLayer, nHead, dHead, NumericPrecision.Fp16);
            Assert.Equal(mha, gqa * group);
            var config = new GptConfig { Name = "random", NLayer = nLayer, DModel = nHead * dHead, NHead = nHead, NCtx = 4096, VocabSize = 1000 };
            long perToken = ModelMemory.KvCacheBytesPerToken(config, NumericPrecision.Fp32);
            Assert.Equal(2L * nLayer * config.DModel * 4, perToken);
            Assert.Equal(perToken * 4096 * 3, ModelMemory.KvCacheBytes(config, 4096, 3, NumericPrecision.Fp32));
        });
    }

    [Fact]
    public void Bad_memory_arguments_are_rejected_by_name()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.WeightBytes(-1, NumericPrecision.Fp16)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.WeightBytes(1, (NumericPrecision)7)).ParamName);
        Assert.Equal("nLayer", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytesPerToken(0, 1, 1, NumericPrecision.Fp16)).ParamName);
        Assert.Equal("nKvHead", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytesPerToken(1, -2, 1, NumericPrecision.Fp16)).ParamName);
        Assert.Equal("dHead", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytesPerToken(1, 1, 0, NumericPrecision.Fp16)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytes(GptModels.Gpt2, 1025, 1, NumericPrecision.Fp16));
        Assert.Equal("seqLen", e.ParamName);
        Assert.Contains("1024", e.Message);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytes(GptModels.Gpt2, 1, 0, NumericPrecision.Fp16)).ParamName);
        Assert.Throws<ArgumentNullException>(() => ModelMemory.KvCacheBytesPerToken(null!, NumericPrecision.Fp16));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.KvCacheBytesPerToken(int.MaxValue, int.MaxValue, int.MaxValue, NumericPrecision.Fp32));
    }
}
