using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace LlmNotebooks.Inference.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        // In-process: LibTorch's native files are already next to this assembly (and patched on Debian 12).
        var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15));
        // With no arguments every benchmark runs (no interactive prompt).
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
    }
}
