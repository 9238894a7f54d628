using BenchmarkDotNet.Running;

namespace LlmNotebooks.Benchmarks;

public static class Program
{
    // With no arguments every benchmark runs (no interactive prompt); BenchmarkDotNet's own arguments, e.g.
    // --filter '*TopP*', select.
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
}
