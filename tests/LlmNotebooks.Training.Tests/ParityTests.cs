using LlmNotebooks.Gpt;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmNotebooks.Training.Tests;

/// <summary>
/// The plain-C# forward pass (LlmNotebooks.Gpt) against TorchSharp on the same weights: random models are built in
/// TorchSharp, written through our safetensors writer, read back by GptModel.Load, and their logits compared, for every
/// variant both sides implement.
/// </summary>
public class ParityTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<NormPlacement, NormKind, PositionalScheme, ForwardMode> Variants()
    {
        var data = new TheoryData<NormPlacement, NormKind, PositionalScheme, ForwardMode>();
        var positions = Enum.GetValues<PositionalScheme>();
        int i = 0;
        foreach (var placement in Enum.GetValues<NormPlacement>())
            foreach (var norm in Enum.GetValues<NormKind>())
            {
                if (placement == NormPlacement.DeepNorm && norm == NormKind.None) continue; // not a valid config
                data.Add(placement, norm, positions[i++ % positions.Length], ForwardMode.Eval);
                if (norm == NormKind.BatchNorm) data.Add(placement, norm, positions[i++ % positions.Length], ForwardMode.Train);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Logits_of_CSharp_forward_equal_TorchSharp_within_1e4(NormPlacement placement, NormKind norm, PositionalScheme positions, ForwardMode mode)
    {
        var config = new GptConfig
        {
            NLayer = 2, NHead = 4, DModel = 32, NCtx = 24, VocabSize = 300, Placement = placement, Norm = norm, Positions = positions,
        };
        Compare(config, mode);
    }

    [Theory]
    [InlineData(false, true)]  // untied lm_head
    [InlineData(true, false)]  // no biases (nanoGPT bias=False)
    public void Head_and_bias_variants_agree_with_TorchSharp(bool tied, bool bias) =>
        Compare(new GptConfig { NLayer = 2, NHead = 4, DModel = 32, NCtx = 24, VocabSize = 300, TiedEmbeddings = tied, Bias = bias }, ForwardMode.Eval);

    // Two sequences of nCtx tokens, so that BatchNorm's train-mode statistics span batch and time.
    private static void Compare(GptConfig config, ForwardMode mode)
    {
        TorchRuntime.EnsureAvailable();
        torch.random.manual_seed(7);
        using var model = new TorchGpt(config);
        Perturb(model); // biases, gains and running statistics away from their initial values, so every term is exercised
        var ids = new int[2, config.NCtx];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < config.NCtx; t++) ids[b, t] = (t * 37 + 11 + 101 * b) % config.VocabSize;

        var folder = TempFolder();
        var tokenizer = TinyGptTokenizer.FromGpt2Ids([50256, .. Enumerable.Range(0, 256), .. Enumerable.Range(256, config.VocabSize - 257)]);
        ModelFolder.Save(folder, config, model.ExportWeights(), tokenizer);
        var csharp = GptModel.Load(folder);
        var actual = csharp.Logits(ids, mode);

        float[] expected;
        if (mode == ForwardMode.Train) model.train();
        else model.eval();
        model.UpdateRunningStatistics = false;
        using (no_grad())
        using (var logits = model.forward(GptTrainer.ToTensor([.. ids.Cast<int>()], 2, config.NCtx)))
            expected = logits.data<float>().ToArray();

        float maxDiff = 0;
        int v = config.VocabSize;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < config.NCtx; t++)
                for (int i = 0; i < v; i++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(actual[b, t, i] - expected[(b * config.NCtx + t) * v + i]));
        Assert.True(maxDiff <= Tolerance, $"max |C# − torch| = {maxDiff} ({config.Describe()}, {mode})");
        Assert.True(expected.Select(Math.Abs).Max() > 0.1f, "logits should not be trivially small");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void TorchSharp_KV_cache_forward_equals_full_forward()
    {
        TorchRuntime.EnsureAvailable();
        var config = new GptConfig { NLayer = 2, NHead = 2, DModel = 16, NCtx = 10, VocabSize = 50, Positions = PositionalScheme.Rope };
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
        foreach (var (name, b) in model.named_buffers())
            if (name.EndsWith("running_var", StringComparison.Ordinal)) b.copy_(torch.rand(b.shape) + 0.5);
            else b.copy_(torch.randn(b.shape) * 0.1);
    }

    internal static string TempFolder() => Path.Combine(Path.GetTempPath(), "gpt-tests-" + Guid.NewGuid().ToString("N"));
}
