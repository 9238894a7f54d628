using LlmNotebooks.TinyGpt;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmNotebooks.Training.Tests;

/// <summary>
/// The plain-C# forward pass (LlmNotebooks.TinyGpt) against TorchSharp on the same weights: random models are built in
/// TorchSharp, written through our safetensors writer, read back by TinyGptModel.Load, and their logits compared.
/// </summary>
public class ParityTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<NormPlacement, PositionalScheme, bool> Variants()
    {
        var data = new TheoryData<NormPlacement, PositionalScheme, bool>();
        foreach (var norm in new[] { NormPlacement.PreLN, NormPlacement.PostLN })
            foreach (var positions in new[] { PositionalScheme.Learned, PositionalScheme.Sinusoidal, PositionalScheme.Rope })
                data.Add(norm, positions, true);
        data.Add(NormPlacement.PreLN, PositionalScheme.Learned, false); // untied lm_head
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Logits_of_CSharp_forward_equal_TorchSharp_within_1e4(NormPlacement norm, PositionalScheme positions, bool tied)
    {
        TorchRuntime.EnsureAvailable();
        var config = new TinyGptConfig
        {
            NLayer = 2, NHead = 4, DModel = 32, NCtx = 24, VocabSize = 300, Norm = norm, Positions = positions, TiedEmbeddings = tied,
        };
        torch.random.manual_seed(7);
        using var model = new TorchGpt(config);
        Perturb(model); // biases and LayerNorm gains away from their 0/1 initial values, so every term is exercised
        model.eval();
        var ids = Enumerable.Range(0, config.NCtx).Select(i => (i * 37 + 11) % config.VocabSize).ToArray();

        float[] expected;
        using (no_grad())
        using (var logits = model.forward(GptTrainer.ToTensor(ids, 1, ids.Length)))
            expected = logits.data<float>().ToArray();

        var folder = TempFolder();
        var tokenizer = TinyGptTokenizer.FromGpt2Ids([50256, .. Enumerable.Range(0, 256), .. Enumerable.Range(256, config.VocabSize - 257)]);
        TinyGptModel.Save(folder, config, model.ExportWeights(), tokenizer);
        var csharp = TinyGptModel.Load(folder);
        var actual = csharp.Logits(ids);

        float maxDiff = 0;
        for (int t = 0; t < ids.Length; t++)
            for (int v = 0; v < config.VocabSize; v++)
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[t, v] - expected[t * config.VocabSize + v]));
        Assert.True(maxDiff <= Tolerance, $"max |C# − torch| = {maxDiff}");
        Assert.True(expected.Select(Math.Abs).Max() > 0.1f, "logits should not be trivially small");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void TorchSharp_KV_cache_forward_equals_full_forward()
    {
        TorchRuntime.EnsureAvailable();
        var config = new TinyGptConfig { NLayer = 2, NHead = 2, DModel = 16, NCtx = 10, VocabSize = 50, Positions = PositionalScheme.Rope };
        torch.random.manual_seed(3);
        using var model = new TorchGpt(config);
        model.eval();
        var ids = new[] { 1, 5, 9, 2, 7, 7, 3 };
        using var _ = no_grad();
        var full = model.forward(GptTrainer.ToTensor(ids, 1, ids.Length)).data<float>().ToArray();
        var caches = Enumerable.Range(0, config.NLayer).Select(_ => new TorchLayerCache()).ToArray();
        var prefix = model.Forward(GptTrainer.ToTensor(ids[..3], 1, 3), caches).data<float>().ToArray();
        var incremental = prefix.ToList();
        for (int t = 3; t < ids.Length; t++)
        {
            using var scope = NewDisposeScope(); // the cache must outlive per-step dispose scopes
            incremental.AddRange(model.Forward(GptTrainer.ToTensor([ids[t]], 1, 1), caches).data<float>().ToArray());
        }
        Assert.Equal(full.Length, incremental.Count);
        for (int i = 0; i < full.Length; i++) Assert.True(Math.Abs(full[i] - incremental[i]) < 1e-5f, $"index {i}: {full[i]} vs {incremental[i]}");
        foreach (var c in caches) c.Dispose();
    }

    internal static void Perturb(TorchGpt model)
    {
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
            if (p.dim() == 1) p.add_(torch.randn(p.shape) * 0.1);
    }

    internal static string TempFolder() => Path.Combine(Path.GetTempPath(), "tinygpt-tests-" + Guid.NewGuid().ToString("N"));
}
