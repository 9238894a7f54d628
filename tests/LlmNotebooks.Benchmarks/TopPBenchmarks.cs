using BenchmarkDotNet.Attributes;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Benchmarks;

/// <summary>
/// Top-p over a GPT-2-sized vocabulary (50,257): the bucketed selection (TopP.KeepSet) against the full sort
/// (TopP.KeepSetBySorting). Setup checks that both return the same kept set.
/// Distributions: Zipf logits −s·ln(rank) with ranks shuffled (s = 1.5: top token ≈ 0.38, a peaked next-token
/// distribution; s = 1.1: heavy tail) and a flat one (logits ~ N(0, 1)).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TopPBenchmarks
{
    public const int VocabSize = 50_257;

    [Params("Zipf1.5", "Zipf1.1", "Flat")]
    public string Distribution { get; set; } = "Zipf1.5";

    [Params(0.9, 0.95)]
    public double P { get; set; }

    private float[] _logits = [];

    [GlobalSetup]
    public void Setup()
    {
        _logits = Make(Distribution, seed: 2019);
        int[] fast = TopP.KeepSet(_logits, P), sorted = TopP.KeepSetBySorting(_logits, P);
        if (!fast.AsSpan().SequenceEqual(sorted))
            throw new InvalidOperationException($"kept sets differ for {Distribution}, p = {P}");
        Console.WriteLine($"// {Distribution}, p = {P}: nucleus of {fast.Length} tokens, top probability {Softmax.Probabilities(_logits).Max():F3}");
    }

    [Benchmark(Baseline = true)]
    public int[] FullSort() => TopP.KeepSetBySorting(_logits, P);

    [Benchmark]
    public int[] Selection() => TopP.KeepSet(_logits, P);

    public static float[] Make(string distribution, int seed)
    {
        var rng = new Random(seed);
        switch (distribution)
        {
            case "Flat":
                return Enumerable.Range(0, VocabSize).Select(_ => (float)Gaussian(rng)).ToArray();
            case var z when z.StartsWith("Zipf", StringComparison.Ordinal):
                double s = double.Parse(z["Zipf".Length..], System.Globalization.CultureInfo.InvariantCulture);
                int[] rank = Enumerable.Range(1, VocabSize).ToArray();
                rng.Shuffle(rank);
                return rank.Select(r => (float)(-s * Math.Log(r))).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Zipf<s> or Flat.");
        }
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()); // Box–Muller
}
