using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using LlmNotebooks.Gpt;
using LlmNotebooks.Sampling;
using LlmNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmNotebooks.Inference.Benchmarks;

/// <summary>
/// Batch-1 greedy generation with a KV cache on the shipped model: an 8-token prompt fed one token at a time, then 57
/// generated tokens (the last prompt step yields the first) — 64 forward steps per invocation. BenchmarkDotNet divides
/// by OperationsPerInvoke = 64, so Mean is the time per forward step and Op/s is tokens processed per second (prompt
/// and generated together; the C# side skips the output head on the first 7 prompt steps, torch computes it on all).
/// Both sides compute the same greedy continuation (checked in setup). CSharpGreedyWithTaps runs the same model with an
/// observing tap on every linear layer's input (a running max |x|), the price of opening the forward pass.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TokensPerSecondConfig))]
public class GenerationBenchmarks
{
    public const int Steps = 64;
    private const int PromptLength = 8;

    private GptModel _csharp = null!;
    private GptModel _tapped = null!;
    private TorchGpt _torch = null!;
    private int[] _prompt = null!;

    /// <summary>Torch intra-op threads (the C# side uses Parallel.For over matrix rows above a size threshold).</summary>
    [Params(1, 2)]
    public int TorchThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _csharp = GptModel.Load(ModelFolder.Shipped());
        // An observing tap at every linear layer's input: the cost of reading each activation once (a running max |x|).
        var taps = new GptTaps();
        float max = 0;
        string[] linear = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", "lm_head"];
        foreach (var point in GptTaps.Points(_csharp.Config).Where(p => p.Site == TapSite.Input && linear.Any(p.Module.EndsWith)))
            taps.OnInput(point.Module, a => max = Math.Max(max, System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(a.Values)));
        _tapped = _csharp.WithTaps(taps);
        TorchRuntime.EnsureAvailable();
        torch.set_num_threads(TorchThreads);
        _torch = new TorchGpt(_csharp.Config);
        _torch.ImportWeights(_csharp.Weights.ToDictionary(kv => kv.Key, kv => kv.Value.Values.ToArray()));
        _torch.eval();
        _prompt = _csharp.EncodePrompt("Fellow-Citizens of the Senate and House of Representatives: The")[..PromptLength];
        var a = CSharpGreedy();
        var b = TorchGreedy();
        if (!a.SequenceEqual(b))
            Console.WriteLine($"warning: greedy continuations differ (C# {string.Join(",", a)} vs torch {string.Join(",", b)})");
    }

    [GlobalCleanup]
    public void Cleanup() => _torch.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps)]
    public int[] CSharpGreedy() => _csharp.Generate(_prompt, Steps - PromptLength + 1, SamplingPipeline.Greedy, new Random(0), stopAtEndOfText: false);

    [Benchmark(OperationsPerInvoke = Steps)]
    public int[] CSharpGreedyWithTaps() => _tapped.Generate(_prompt, Steps - PromptLength + 1, SamplingPipeline.Greedy, new Random(0), stopAtEndOfText: false);

    [Benchmark(OperationsPerInvoke = Steps)]
    public int[] TorchGreedy()
    {
        using var _ = no_grad();
        var caches = Enumerable.Range(0, _csharp.Config.NLayer).Select(_ => new TorchLayerCache()).ToArray();
        var generated = new int[Steps - PromptLength + 1];
        int next = 0;
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            int id = t < PromptLength ? _prompt[t] : next;
            var logits = _torch.Forward(torch.tensor(new long[] { id }, [1, 1]), caches);
            if (t >= PromptLength - 1)
            {
                next = (int)logits[0, 0].argmax().item<long>();
                generated[t - PromptLength + 1] = next;
            }
        }
        foreach (var c in caches) c.Dispose();
        return generated;
    }
}

/// <summary>Adds the Op/s column (operations = tokens here) to the default columns.</summary>
public sealed class TokensPerSecondConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public TokensPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
}
