using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.GptSeries;

public class GptOssTests
{
    // Model card arXiv:2508.10925 Table 1 (printed to two decimals in billions) and, to the unit, the counts of the
    // reference implementation's tensor shapes (openai/gpt-oss gpt_oss/torch/model.py; summed with numpy as an oracle).
    [Theory]
    [InlineData("gpt-oss-120b", 116_829_156_672L, 5_132_849_472L)]
    [InlineData("gpt-oss-20b", 20_914_757_184L, 3_608_307_264L)]
    public void Totals_and_actives_reproduce_the_model_card(string name, long total, long active)
    {
        var config = GptOss.Models.Single(c => c.Name == name);
        var count = config.CountParameters();
        Assert.Equal(total, count.Total);
        Assert.Equal(active, count.Active);
        bool big = name == "gpt-oss-120b";
        var breakdown = GptOss.Breakdown(config).InCardOrder;
        for (int i = 0; i < GptOss.ModelCardTable1.Count; i++)
        {
            var row = GptOss.ModelCardTable1[i];
            double printed = big ? row.Gpt120bBillions : row.Gpt20bBillions;
            Assert.True(GptOssCardRow.Agrees(breakdown[i], printed), $"{name} {row.Component}: {breakdown[i]:N0} vs {printed}B");
        }
        // README: "117B parameters with 5.1B active", "21B parameters with 3.6B active".
        var (readmeTotal, readmeActive) = GptOss.ReadmeSizes[name];
        Assert.Equal(readmeTotal, Math.Round(total / 1e9));
        Assert.Equal(readmeActive, Math.Round(active / 1e9, 1));
    }

    [Fact]
    public void Breakdown_rows_to_the_unit()
    {
        // 120b: MLP 114,714,978,048; attention 955,908,864; embed + unembed 2·201,088·2880 = 1,158,266,880; final norm 2,880.
        var b = GptOss.Breakdown(GptOss.Gpt120b);
        Assert.Equal(114_714_978_048, b.Mlp);
        Assert.Equal(955_908_864, b.Attention);
        Assert.Equal(1_158_266_880, b.EmbedUnembed);
        Assert.Equal(b.Total, b.Mlp + b.Attention + b.EmbedUnembed + 2880);
        Assert.Equal(637_272_576, GptOss.Breakdown(GptOss.Gpt20b).Attention);
        Assert.Equal(19_119_214_848, GptOss.Breakdown(GptOss.Gpt20b).Mlp);
        // Per layer: attention 26,553,024 (incl. its RMSNorm), one expert 24,891,840.
        var c = GptOss.Gpt120b.CountParameters();
        Assert.Equal(24_891_840, c.PerExpert);
        Assert.Equal(26_553_024, b.Attention / 36);
        // Active = total − input embedding − the 124 experts per layer a token skips.
        Assert.Equal(c.Total - 201_088L * 2880 - 36L * 124 * 24_891_840, c.Active);
    }

    [Fact]
    public void Block_tensors_have_the_reference_shapes()
    {
        // gpt_oss/torch/model.py: attn.norm.scale [2880], attn.qkv [5120, 2880] + bias, attn.sinks [64], attn.out [2880, 4096]
        // + bias, mlp.norm.scale [2880], mlp.gate [128, 2880] + bias, mlp1_weight [128, 5760, 2880], mlp1_bias [128, 5760],
        // mlp2_weight [128, 2880, 2880], mlp2_bias [128, 2880]. Ours carry GPT-2 names.
        var block = GptOss.Gpt120b.Tensors().Where(t => t.Name.StartsWith("h.0.", StringComparison.Ordinal))
            .Select(t => (t.Name, t.ShapeText));
        (string, string)[] expected =
        [
            ("h.0.ln_1.weight", "[2880]"),
            ("h.0.attn.c_attn.weight", "[5120, 2880]"), ("h.0.attn.c_attn.bias", "[5120]"), ("h.0.attn.sinks", "[64]"),
            ("h.0.attn.c_proj.weight", "[2880, 4096]"), ("h.0.attn.c_proj.bias", "[2880]"),
            ("h.0.ln_2.weight", "[2880]"),
            ("h.0.mlp.router.weight", "[128, 2880]"), ("h.0.mlp.router.bias", "[128]"),
            ("h.0.mlp.experts.c_fc.weight", "[128, 5760, 2880]"), ("h.0.mlp.experts.c_fc.bias", "[128, 5760]"),
            ("h.0.mlp.experts.c_proj.weight", "[128, 2880, 2880]"), ("h.0.mlp.experts.c_proj.bias", "[128, 2880]"),
        ];
        Assert.Equal(expected, block);
        var all = GptOss.Gpt120b.Tensors();
        Assert.Equal(("wte.weight", "[201088, 2880]"), (all[0].Name, all[0].ShapeText));
        Assert.Equal(["ln_f.weight", "lm_head.weight"], all.TakeLast(2).Select(t => t.Name));
        Assert.Equal(GptOss.Gpt120b.ParameterCount, all.Sum(t => t.Count));
    }

    [Fact]
    public void Kv_cache_with_gqa_and_alternating_windows()
    {
        // bf16 = 2 bytes. Per token while the context fits 128 tokens: 2·36·8·64·2 = 73,728. Beyond it only the 18 dense
        // (odd) layers grow: 36,864 bytes per token; with 64 KV heads (no GQA) 8× that, 294,912. 20b: 12 dense → 24,576.
        var big = GptOss.Gpt120b;
        Assert.Equal(73_728, ModelMemory.KvCacheBytesPerToken(big, NumericPrecision.Fp16));
        Assert.Equal(36_864, ModelMemory.KvCacheGrowthPerToken(big, NumericPrecision.Fp16));
        Assert.Equal(294_912, ModelMemory.KvCacheGrowthPerToken(big with { NKvHead = 64 }, NumericPrecision.Fp16));
        Assert.Equal(24_576, ModelMemory.KvCacheGrowthPerToken(GptOss.Gpt20b, NumericPrecision.Fp16));
        // Full 131,072-token context: 18 layers × 128 + 18 layers × 131,072 cached positions, 2·8·64·2 bytes each.
        Assert.Equal(2L * 8 * 64 * 2 * (18 * 128 + 18 * 131_072), ModelMemory.KvCacheBytes(big, 131_072, 1, NumericPrecision.Fp16));
        Assert.Equal(4_836_556_800, ModelMemory.KvCacheBytes(big, 131_072, 1, NumericPrecision.Fp16));
        for (int n = 1; n <= 128; n += 31) // inside the window every layer caches every token
            Assert.Equal(73_728L * n, ModelMemory.KvCacheBytes(big, n, 1, NumericPrecision.Fp16));
        Assert.Equal(36_864, ModelMemory.KvCacheBytes(big, 1001, 1, NumericPrecision.Fp16) - ModelMemory.KvCacheBytes(big, 1000, 1, NumericPrecision.Fp16));
        Assert.Equal([128, 131_072, 128], new[] { big.AttentionWindow(0), big.AttentionWindow(1), big.AttentionWindow(34) });
    }

    [Fact]
    public void Mxfp4_checkpoint_fits_one_80_gb_gpu()
    {
        // Card §2.1: MoE weights at 4.25 bits; the rest bf16. 120b: 114,661,785,600 expert weights → 60,914,073,600 bytes,
        // plus 2,167,371,072 other parameters · 2 = 4,334,742,144 bytes: 65,248,815,744 bytes in all. 20b: 13,761,264,768.
        Assert.Equal(65_248_815_744, GptOss.QuantizedCheckpointBytes(GptOss.Gpt120b));
        Assert.Equal(13_761_264_768, GptOss.QuantizedCheckpointBytes(GptOss.Gpt20b));
        Assert.True(GptOss.QuantizedCheckpointBytes(GptOss.Gpt120b) < 80e9);
        Assert.Equal(60_914_073_600, ModelMemory.WeightBytes(114_661_785_600, GptOss.MxFp4BitsPerParameter));
        Assert.Equal(3, ModelMemory.WeightBytes(5, 4.25)); // ⌈21.25 / 8⌉
        Assert.Equal("bitsPerParameter", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.WeightBytes(1, double.NaN)).ParamName);
        Assert.Equal("bitsPerParameter", Assert.Throws<ArgumentOutOfRangeException>(() => ModelMemory.WeightBytes(1, 0.0)).ParamName);
    }

    [Fact]
    public void The_models_cannot_run_gpt_oss_and_say_why()
    {
        var e = Assert.Throws<NotSupportedException>(() => GptOss.Gpt120b.ValidateRunnable());
        Assert.Contains("gpt-oss-120b", e.Message);
        Assert.Contains("NKvHead = 8", e.Message);
        Assert.Contains("counting", e.Message);
        Assert.Throws<NotSupportedException>(() => GptTaps.Points(GptOss.Gpt20b));
        Assert.Same(GptModels.Gpt2, GptModels.Gpt2.ValidateRunnable());
    }

    [Fact]
    public void Config_json_round_trips_and_gpt2_json_is_unchanged()
    {
        var json = GptOss.Gpt120b.ToJson();
        Assert.Contains("\"nKvHead\": 8", json);
        Assert.Contains("\"dHead\": 64", json);
        Assert.Contains("\"nExpert\": 128", json);
        Assert.Contains("\"slidingWindowLayers\": \"Even\"", json);
        Assert.Equal(GptOss.Gpt120b, GptConfig.FromJson(json));
        var gpt2 = GptModels.Gpt2.ToJson();
        foreach (var field in new[] { "nKvHead", "dHead", "mlp", "nExpert", "attentionSinks", "slidingWindow" })
            Assert.DoesNotContain($"\"{field}\"", gpt2);
        Assert.Equal(GptModels.Gpt2, GptConfig.FromJson(gpt2));
    }
}
