using LlmNotebooks.Corpora;
using LlmNotebooks.Gpt;
using TorchSharp;

namespace LlmNotebooks.Training.Tests;

public class TrainerTests
{
    private static readonly GptConfig Tiny = new() { NLayer = 1, NHead = 2, DModel = 32, NCtx = 32, VocabSize = 300 };

    /// <summary>The first training addresses encoded with a 300-token vocabulary built from them (real text, small).</summary>
    private static readonly Lazy<(int[] Train, int[] Validation)> Streams = new(() =>
    {
        var all = SotuCorpus.Load();
        var tokenizer = TinyGptTokenizer.Build(all.Take(3).Select(a => a.Text), Tiny.VocabSize);
        return (TokenWindows.Concatenate(all.Take(3).Select(a => a.Text), tokenizer),
                TokenWindows.Concatenate(all.Skip(3).Take(1).Select(a => a.Text), tokenizer));
    });

    [Fact]
    public void Loss_falls_over_50_steps_on_a_tiny_config()
    {
        var (train, validation) = Streams.Value;
        using var trainer = new GptTrainer(Tiny, new TrainingOptions { Steps = 50, BatchSize = 8, WarmupSteps = 5, LearningRate = 1e-2, MinLearningRate = 1e-3 }, train, validation);
        double before = trainer.ValidationLoss(8);
        Assert.Equal(Math.Log(Tiny.VocabSize), before, 0.3); // N(0, 0.02) weights start near the uniform ln V = 5.70 nats
        var losses = Enumerable.Range(0, 50).Select(_ => trainer.Step().Loss).ToList();
        double after = trainer.ValidationLoss(8);
        Assert.True(losses.TakeLast(10).Average() < losses[0] - 1.0, $"train loss {losses[0]:F3} → {losses.TakeLast(10).Average():F3}");
        Assert.True(after < before - 1.0, $"validation loss {before:F3} → {after:F3}");
        Assert.Throws<InvalidOperationException>(() => trainer.Step());
    }

    [Fact]
    public void Same_seed_gives_the_same_losses_and_weights()
    {
        var (train, validation) = Streams.Value;
        double[] Run(int seed, out float[] wte)
        {
            using var t = new GptTrainer(Tiny, new TrainingOptions { Steps = 4, BatchSize = 2, Seed = seed }, train, validation);
            var losses = Enumerable.Range(0, 4).Select(_ => t.Step().Loss).ToArray();
            wte = t.Model.ExportWeights()["wte.weight"];
            return losses;
        }
        Assert.Equal(Run(5, out var w1), Run(5, out var w2));
        Assert.Equal(w1, w2);
        Assert.NotEqual(Run(5, out _), Run(6, out _));
    }

    [Fact]
    public void Per_layer_gradient_norms_add_up_to_the_global_norm_torch_clips()
    {
        var (train, validation) = Streams.Value;
        var config = Tiny with { NLayer = 3 };
        using var trainer = new GptTrainer(config, new TrainingOptions { Steps = 2, BatchSize = 2, GradClip = 1e9 }, train, validation);
        var step = trainer.Step();
        Assert.Equal(["embeddings", "h.0", "h.1", "h.2", "head"], step.LayerGradNorms!.Select(kv => kv.Key));
        Assert.All(step.LayerGradNorms!, kv => Assert.True(kv.Value > 0, kv.Key));
        Assert.Equal(step.GradNorm, Math.Sqrt(step.LayerGradNorms!.Sum(kv => kv.Value * kv.Value)), 1e-6 * step.GradNorm);
        // torch's clip_grad_norm_ returns the same global L2 norm (the gradients are still there after the step).
        double torchNorm = torch.nn.utils.clip_grad_norm_(trainer.Model.parameters(), 1e9);
        Assert.Equal(step.GradNorm, torchNorm, 1e-4 * step.GradNorm); // float32 sums in a different order: a relative tolerance
    }

    [Fact]
    public void Learning_rate_warms_up_linearly_then_decays_by_cosine_to_the_minimum()
    {
        var o = new TrainingOptions { Steps = 110, WarmupSteps = 10, LearningRate = 1e-3, MinLearningRate = 1e-4 };
        Assert.Equal(1e-4, o.LearningRateAt(0), 1e-12);        // (0 + 1)/10 · peak
        Assert.Equal(5e-4, o.LearningRateAt(4), 1e-12);
        Assert.Equal(1e-3, o.LearningRateAt(10), 1e-12);       // decay starts at the peak
        Assert.Equal(1e-4, o.LearningRateAt(109), 1e-12);      // ends at the minimum
        Assert.Equal(1e-4 + 0.5 * (1 + Math.Cos(Math.PI * 49 / 99)) * 9e-4, o.LearningRateAt(10 + 49), 1e-12); // cosine at progress 49/99 ≈ ½
        var noWarmup = o with { Warmup = false };
        Assert.Equal(1e-3, noWarmup.LearningRateAt(0), 1e-12); // the switch: start at the peak
        Assert.Throws<ArgumentOutOfRangeException>(() => o.LearningRateAt(110));
        Assert.Throws<ArgumentOutOfRangeException>(() => (o with { MinLearningRate = 2e-3 }).Validate());
    }

    [Fact]
    public void Streams_with_ids_outside_the_vocabulary_are_rejected()
    {
        var bad = new int[40];
        bad[7] = 300;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GptTrainer(Tiny, new TrainingOptions(), bad, new int[40]));
        Assert.Contains("trainTokens[7] = 300 lies outside [0, vocabSize = 300)", e.Message);
    }

    [Theory]
    [InlineData(NormPlacement.PostLN, NormKind.RMSNorm)]
    [InlineData(NormPlacement.DeepNorm, NormKind.LayerNorm)]
    [InlineData(NormPlacement.PreLN, NormKind.BatchNorm)]
    [InlineData(NormPlacement.PreLN, NormKind.None)]
    public void Every_variant_trains(NormPlacement placement, NormKind norm)
    {
        var (train, validation) = Streams.Value;
        using var trainer = new GptTrainer(Tiny with { Placement = placement, Norm = norm },
            new TrainingOptions { Steps = 30, BatchSize = 8, WarmupSteps = 5, LearningRate = 1e-2, MinLearningRate = 1e-3 }, train, validation);
        double before = trainer.ValidationLoss(4);
        for (int i = 0; i < 30; i++) trainer.Step();
        double after = trainer.ValidationLoss(4);
        Assert.True(after < before - 0.5, $"{placement} {norm}: validation loss {before:F3} → {after:F3}");
        if (norm == NormKind.BatchNorm)
        {
            // Train-mode statistics see the whole batch (later tokens included), eval mode uses the running ones: they differ,
            // and measuring in train mode leaves the running statistics as they were.
            var runningBefore = trainer.Model.ExportWeights()["h.0.ln_1.running_mean"];
            Assert.NotEqual(trainer.ValidationLoss(4, ForwardMode.Train), after);
            Assert.Equal(runningBefore, trainer.Model.ExportWeights()["h.0.ln_1.running_mean"]);
        }
    }

    [Fact]
    public void BatchNorm_running_statistics_follow_torch_BatchNorm1d()
    {
        // torch.nn.BatchNorm1d(1) in train mode on the batch [1, 2, 3, 4] (momentum 0.1): running_mean 0 → 0.25,
        // running_var 1 → 0.9·1 + 0.1·(5/3) = 1.0666666667 (the unbiased variance 5/3); the output uses the biased 1.25.
        TorchRuntime.EnsureAvailable();
        var norm = TorchNorm.Create(new GptConfig { DModel = 1, NHead = 1, Norm = NormKind.BatchNorm })!;
        norm.train();
        using var y = norm.forward(torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 4, 1]));
        var state = norm.named_buffers().ToDictionary(b => b.name, b => b.buffer.data<float>().ToArray()[0]);
        Assert.Equal(0.25, state["running_mean"], 1e-7);
        Assert.Equal(1.0666666667, state["running_var"], 1e-6);
        Assert.Equal(-1.5 / Math.Sqrt(1.25 + 1e-5), y.data<float>()[0], 1e-6);
    }

    [Fact]
    public void DeepNorm_initializes_with_the_papers_xavier_gains()
    {
        // Wang et al. 2022, Fig. 2: xavier_normal_(w, gain = β) for FFN, v_proj and out_proj, gain 1 for q_proj and k_proj,
        // β = (8N)^(−1/4). Xavier-normal: std = gain·√(2 / (fan_in + fan_out)). With d = 128 each slice has ≥ 16,384 entries,
        // so the sample std is within 2% of its expectation (±3σ of the estimate).
        TorchRuntime.EnsureAvailable();
        torch.random.manual_seed(11);
        var config = new GptConfig { NLayer = 6, NHead = 4, DModel = 128, NCtx = 8, VocabSize = 300, Placement = NormPlacement.DeepNorm };
        using var model = new TorchGpt(config);
        var w = model.ExportWeights();
        double beta = DeepNorm.Beta(6), d = 128;
        double Std(float[] v, int start, int count) => Math.Sqrt(v.Skip(start).Take(count).Select(x => (double)x * x).Average());
        var cAttn = w["h.3.attn.c_attn.weight"];
        Assert.Equal(1 / Math.Sqrt(d), Std(cAttn, 0, 128 * 128), 0.02 / Math.Sqrt(d));                 // q
        Assert.Equal(1 / Math.Sqrt(d), Std(cAttn, 128 * 128, 128 * 128), 0.02 / Math.Sqrt(d));         // k
        Assert.Equal(beta / Math.Sqrt(d), Std(cAttn, 2 * 128 * 128, 128 * 128), 0.02 * beta / Math.Sqrt(d)); // v
        Assert.Equal(beta / Math.Sqrt(d), Std(w["h.3.attn.c_proj.weight"], 0, 128 * 128), 0.02 * beta / Math.Sqrt(d));
        double ffn = beta * Math.Sqrt(2 / (5 * d));
        Assert.Equal(ffn, Std(w["h.3.mlp.c_fc.weight"], 0, 512 * 128), 0.02 * ffn);
        Assert.Equal(ffn, Std(w["h.3.mlp.c_proj.weight"], 0, 512 * 128), 0.02 * ffn);
        Assert.Equal(0.02, Std(w["wte.weight"], 0, 300 * 128), 0.02 * 0.02);                          // embeddings as nanoGPT
        // and the Pre-LN default keeps nanoGPT's N(0, 0.02/√(2N)) on the residual projections
        using var pre = new TorchGpt(config with { Placement = NormPlacement.PreLN });
        Assert.Equal(0.02 / Math.Sqrt(12), Std(pre.ExportWeights()["h.3.attn.c_proj.weight"], 0, 128 * 128), 0.02 * 0.02 / Math.Sqrt(12));
    }

    [Fact]
    public void Torch_load_failures_are_explained_with_GLIBCXX_and_the_patch_script()
    {
        var message = TorchRuntime.Explain(new TypeInitializationException("TorchSharp.torch",
            new DllNotFoundException("libLibTorchSharp.so: version `GLIBCXX_3.4.32' not found")));
        Assert.Contains("GLIBCXX_3.4.32", message);
        Assert.Contains("scripts/patch-torchsharp-glibcxx.sh", message);
        Assert.Contains("Ubuntu 24.04", message);
        Assert.Contains(System.Runtime.InteropServices.RuntimeInformation.OSDescription, message);
    }
}
