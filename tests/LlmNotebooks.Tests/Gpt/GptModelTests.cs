using LlmNotebooks.Corpora;
using LlmNotebooks.Numerics;
using LlmNotebooks.Sampling;
using LlmNotebooks.Gpt;

namespace LlmNotebooks.Tests.Gpt;

public class GptModelTests
{
    internal static readonly Lazy<GptModel> ShippedModel = new(() => GptModel.Load(ShippedFolder()));

    /// <summary>models/tiny-gpt in the repository.</summary>
    internal static string ShippedFolder() => ModelFolder.Shipped();

    /// <summary>A small random model (seeded), for properties that hold for any weights: entries U(−0.3, 0.3), norm gains
    /// 1 + U(−0.3, 0.3), BatchNorm running variances in [0.5, 1.5).</summary>
    internal static GptModel RandomModel(GptConfig config, int seed = 1)
    {
        var random = new Random(seed);
        var weights = config.Tensors().ToDictionary(t => t.Name, t =>
        {
            var values = new float[t.Count];
            float offset = t.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 1f
                : t.Name.Contains("ln_") && t.Name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            for (int i = 0; i < values.Length; i++) values[i] = offset + (float)(random.NextDouble() - 0.5) * 0.6f;
            return values;
        });
        return GptModel.FromWeights(config, weights);
    }

    /// <summary>Every placement × norm kind (BatchNorm in eval mode here) with a position scheme each.</summary>
    public static TheoryData<NormPlacement, NormKind, PositionalScheme> Variants()
    {
        var data = new TheoryData<NormPlacement, NormKind, PositionalScheme>();
        var positions = Enum.GetValues<PositionalScheme>();
        int i = 0;
        foreach (var placement in Enum.GetValues<NormPlacement>())
            foreach (var norm in Enum.GetValues<NormKind>())
                if (!(placement == NormPlacement.DeepNorm && norm == NormKind.None))
                    data.Add(placement, norm, positions[i++ % positions.Length]);
        return data;
    }

    private static readonly GptConfig Small = new() { NLayer = 2, NHead = 2, DModel = 8, NCtx = 6, VocabSize = 11 };

    [Fact]
    public void Hand_computed_logits_of_embedding_final_LayerNorm_and_tied_head()
    {
        // One block whose weights are all zero adds nothing (attn and MLP outputs are their zero biases), so
        // logits = wte · LN_f(wte[id] + wpe[pos]). With dModel 2, LN([a, b]) = [δ, −δ]/√(δ² + ε), δ = (a − b)/2.
        var config = new GptConfig { NLayer = 1, NHead = 1, DModel = 2, NCtx = 2, VocabSize = 3 };
        var weights = config.Tensors().ToDictionary(t => t.Name, t => new float[t.Count]);
        weights["wte.weight"] = [1, 0, 0, 1, 1, 1];          // rows: e0 = [1, 0], e1 = [0, 1], e2 = [1, 1]
        weights["wpe.weight"] = [0, 0, 0.5f, 0];             // pos 1 adds [0.5, 0]
        weights["ln_f.weight"] = [2, 1];
        weights["ln_f.bias"] = [0.25f, 0];
        var model = GptModel.FromWeights(config, weights);
        var logits = model.Logits([0, 1]);
        // pos 0, token 0: x = [1, 0], δ = 0.5, n = 0.5/√(0.25 + 1e-5); h = [2n + 0.25, −n]; logits = [h0, h1, h0 + h1].
        double n0 = 0.5 / Math.Sqrt(0.25 + 1e-5);
        double[] expected0 = [2 * n0 + 0.25, -n0, n0 + 0.25];
        // pos 1, token 1: x = [0.5, 1], δ = −0.25, n = −0.25/√(0.0625 + 1e-5); h = [2n + 0.25, −n].
        double n1 = -0.25 / Math.Sqrt(0.0625 + 1e-5);
        double[] expected1 = [2 * n1 + 0.25, -n1, n1 + 0.25];
        for (int v = 0; v < 3; v++)
        {
            Assert.Equal(expected0[v], logits[0, v], 1e-5);
            Assert.Equal(expected1[v], logits[1, v], 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void KV_cache_rows_equal_whole_sequence_forward_and_later_tokens_never_change_earlier_logits(NormPlacement placement, NormKind norm, PositionalScheme positions)
    {
        var model = RandomModel(Small with { Placement = placement, Norm = norm, Positions = positions });
        int[] ids = [3, 1, 4, 1, 5, 9];
        var all = model.Logits(ids);
        for (int t = 0; t < ids.Length; t++)
        {
            var prefix = model.NextTokenLogits(ids.AsSpan(0, t + 1));
            for (int v = 0; v < Small.VocabSize; v++) Assert.Equal(all[t, v], prefix[v]);
        }
        int[] changed = [3, 1, 4, 7, 7, 7];
        var other = model.Logits(changed);
        for (int v = 0; v < Small.VocabSize; v++) Assert.Equal(all[2, v], other[2, v]); // causal: positions ≤ 2 unaffected
        Assert.NotEqual(all[3, 0], other[3, 0]);
    }

    [Fact]
    public void Trace_records_every_point_and_its_logits_equal_the_forward_pass()
    {
        var model = RandomModel(Small);
        int[] ids = [2, 7, 1];
        var trace = model.Trace(ids);
        Assert.Equal(GptTaps.Points(Small).Count, trace.Activations.Count);
        Assert.Equal([3, 8], new[] { trace["h.0:input"].GetLength(0), trace["h.0:input"].GetLength(1) });
        Assert.Equal([3, 24], new[] { trace["h.1.attn.c_attn:output"].GetLength(0), trace["h.1.attn.c_attn:output"].GetLength(1) });
        Assert.Equal([3, 32], new[] { trace["h.0.mlp.c_proj:input"].GetLength(0), trace["h.0.mlp.c_proj:input"].GetLength(1) });
        Assert.Equal(model.Logits(ids), trace.Logits);
        Assert.Equal(trace.Logits, trace["lm_head:output"]);
        Assert.Equal(trace["h.1:output"], trace["ln_f:input"]);
        Assert.Equal(trace["ln_f:output"], trace["lm_head:input"]);
        // ln_f by its definition (LayerNorm, biased variance, ε = 1e-5), from the recorded residual stream.
        var gain = model.Weights["ln_f.weight"].Values.ToArray();
        var bias = model.Weights["ln_f.bias"].Values.ToArray();
        var x = Enumerable.Range(0, 8).Select(i => (double)trace["h.1:output"][2, i]).ToArray();
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        for (int i = 0; i < 8; i++)
            Assert.Equal((x[i] - mean) / Math.Sqrt(variance + 1e-5) * gain[i] + bias[i], trace["ln_f:output"][2, i], 1e-4);
        var some = model.Trace(ids, [TapPoint.Output("h.0"), TapPoint.Input("lm_head")]);
        Assert.Equal(2, some.Activations.Count);
        Assert.Equal(trace["h.0:output"], some["h.0:output"]);
        Assert.Throws<KeyNotFoundException>(() => some["h.1:output"]);
    }

    [Fact]
    public void Bad_ids_and_prompts_longer_than_nCtx_throw_naming_the_range()
    {
        var model = RandomModel(Small);
        var tooLong = Assert.Throws<ArgumentException>(() => model.Logits(new int[7]));
        Assert.Contains("nCtx = 6", tooLong.Message);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => model.Logits([1, 11]));
        Assert.Contains("ids[1] = 11 lies outside [0, vocabSize = 11)", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Logits([-1]));
        Assert.Throws<ArgumentException>(() => model.Logits([]));
        var session = model.CreateSession();
        for (int i = 0; i < 6; i++) session.Append(1);
        Assert.Throws<InvalidOperationException>(() => session.Append(1));
        Assert.Throws<InvalidOperationException>(() => model.NextTokenTable("no tokenizer"));
    }

    [Fact]
    public void Greedy_generation_follows_the_argmax_chain_and_crops_past_nCtx()
    {
        // nCtx = 6, prompt [1, 2], 10 greedy steps. The window the model reads grows to 6 tokens; when a token would be
        // the 7th, the window restarts from the last nCtx/2 = 3 tokens (that token included) and grows again:
        //   g0..g4 read [1 2] … [1 2 g0 g1 g2 g3] (exact chain), g5 reads [g2 g3 g4], g6 [g2 … g5], g7 [g2 … g6],
        //   g8 [g2 … g7], g9 reads [g6 g7 g8] (second crop).
        var model = RandomModel(Small);
        var seen = new List<(int[] Context, float[] Logits)>();
        NextTokenSelector recordingGreedy = (context, logits, random) =>
        {
            seen.Add((context.ToArray(), logits.ToArray()));
            return SamplingPipeline.Greedy(context, logits, random);
        };
        var generated = model.Generate([1, 2], 10, recordingGreedy, new Random(0), stopAtEndOfText: false);
        Assert.Equal(10, generated.Length);
        Assert.Equal(10, seen.Count);

        int[] sequence = [1, 2, .. generated];
        (int Start, int End)[] windows = [(0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (4, 7), (4, 8), (4, 9), (4, 10), (8, 11)];
        for (int i = 0; i < 10; i++)
        {
            // The selector sees the whole sequence so far (for the repetition penalty), and the logits of the window.
            Assert.Equal(sequence[..(2 + i)], seen[i].Context);
            var expected = model.NextTokenLogits(sequence.AsSpan(windows[i].Start, windows[i].End - windows[i].Start));
            Assert.Equal(expected, seen[i].Logits); // bit-identical: same single-token session steps
            Assert.Equal(Samplers.ArgMax(expected), generated[i]);
        }

        // The test can tell the crops apart: nanoGPT's crop (the last nCtx tokens at every step) would give g5 different logits.
        Assert.NotEqual(model.NextTokenLogits(sequence.AsSpan(1, 6)), seen[5].Logits);
    }

    /// <summary>
    /// A "sticky" GPT that prefers repeating its last token, by hand: one block with zero weights (adds nothing),
    /// no positions (wpe = 0), wte rows e_i = one-hot at dimension i in dModel 8, ln_f gain 0.5 and bias 1, tied head.
    /// logit_j = e_j · (0.5 LN(e_last) + 1): LN(e_last) = (e_last − 1/8)/σ with σ = √(7/64 + 1e-5), so the last token
    /// scores 0.5·(7/8)/σ + 1 ≈ 2.32282 and every other token 0.5·(−1/8)/σ + 1 ≈ 0.81103, whatever came before.
    /// </summary>
    internal static GptModel StickyModel()
    {
        var config = new GptConfig { NLayer = 1, NHead = 1, DModel = 8, NCtx = 16, VocabSize = 6 };
        var weights = config.Tensors().ToDictionary(t => t.Name, t => new float[t.Count]);
        for (int i = 0; i < 6; i++) weights["wte.weight"][i * 8 + i] = 1f;
        Array.Fill(weights["ln_f.weight"], 0.5f);
        Array.Fill(weights["ln_f.bias"], 1f);
        return GptModel.FromWeights(config, weights);
    }

    [Fact]
    public void Greedy_generation_loops_and_the_repetition_penalty_breaks_the_loop()
    {
        var model = StickyModel();
        double sigma = Math.Sqrt(7.0 / 64 + 1e-5), own = 0.5 * 0.875 / sigma + 1, other = 0.5 * -0.125 / sigma + 1;
        var logits = model.NextTokenLogits([3]);
        for (int j = 0; j < 6; j++) Assert.Equal(j == 3 ? own : other, logits[j], 1e-5);

        // Greedy repeats the prompt's token for ever (past the nCtx = 16 crop too): seq-rep-1 = 1 − 1/20.
        int[] greedy = model.Generate([0], 20, SamplingPipeline.Greedy, new Random(0), stopAtEndOfText: false);
        Assert.Equal(Enumerable.Repeat(0, 20), greedy);
        Assert.Equal(19.0 / 20, DecodingStatistics.SequenceRepetition(greedy, 1), 1e-15);

        // θ = 4 (CTRL): the last token's 2.32282 → 0.58070, an earlier token's 0.81103 → 0.20276, unseen tokens keep 0.81103,
        // so greedy walks through the unseen ids in order (ties → lowest id); once all are seen the last one wins again.
        var penalised = new SamplingPipeline { RepetitionPenalty = 4 }.AsGreedySelector();
        int[] varied = model.Generate([0], 7, penalised, new Random(0), stopAtEndOfText: false);
        Assert.Equal([1, 2, 3, 4, 5, 5, 5], varied);
    }

    [Fact]
    public void Generation_stops_after_end_of_text_and_checks_its_arguments_and_the_selector()
    {
        var model = StickyModel(); // greedy repeats the last token: from <|endoftext|> (id 0) it emits id 0 again
        Assert.Equal([TinyGptTokenizer.EndOfTextId], model.Generate([2, 0], 10, SamplingPipeline.Greedy, new Random(0)));
        Assert.Equal(Enumerable.Repeat(0, 10), model.Generate([2, 0], 10, SamplingPipeline.Greedy, new Random(0), stopAtEndOfText: false));
        Assert.Empty(model.Generate([2], 0, SamplingPipeline.Greedy, new Random(0)));
        Assert.Equal("maxNewTokens", Assert.Throws<ArgumentOutOfRangeException>(
            () => model.Generate([2], -1, SamplingPipeline.Greedy, new Random(0))).ParamName);
        var e = Assert.Throws<ArgumentException>(() => model.Generate([2], 3, (_, _, _) => 6, new Random(0)));
        Assert.Equal("selector", e.ParamName);
        Assert.Contains("outside [0, 6)", e.Message);
        Assert.Throws<ArgumentException>(() => model.Generate([], 3, SamplingPipeline.Greedy, new Random(0)));
    }

    // At T = 0.3 the last token has probability e^(1.51179/0.3)/(e^(1.51179/0.3) + 5) ≈ 0.969, at T = 2 only ≈ 0.30, so
    // twenty 30-token samples (one Random, seed 9, as notebook 04 draws them) repeat far more when cold.
    [Fact]
    public void Colder_sampling_repeats_more_and_is_reproducible_per_seed()
    {
        var model = StickyModel();
        int[][] Samples(double temperature)
        {
            var selector = new SamplingPipeline { Temperature = temperature }.AsSelector();
            var random = new Random(9);
            return [.. Enumerable.Range(0, 20).Select(_ => model.Generate([0], 30, selector, random, stopAtEndOfText: false))];
        }
        var hot = Samples(2.0);
        Assert.Equal(hot, Samples(2.0));
        var cold = Samples(0.3);
        Assert.True(DecodingStatistics.MeanSequenceRepetition(cold, 2) > DecodingStatistics.MeanSequenceRepetition(hot, 2));
        Assert.True(DecodingStatistics.DistinctN(cold, 2) < DecodingStatistics.DistinctN(hot, 2));
        // The share of steps that repeat the previous token estimates p(last token): ≈ 0.969 cold, ≈ 0.30 hot.
        double Repeats(int[][] samples) => samples.Average(x => x.Prepend(0).Zip(x).Count(p => p.First == p.Second) / 30.0);
        Assert.InRange(Repeats(cold), 0.93, 1.0);
        Assert.InRange(Repeats(hot), 0.22, 0.38);
    }

    [Fact]
    public void Sampling_is_reproducible_per_seed_and_follows_softmax()
    {
        var model = RandomModel(Small);
        var a = model.Generate([1], 5, GptModel.PlainSampling, new Random(42));
        var b = model.Generate([1], 5, GptModel.PlainSampling, new Random(42));
        Assert.Equal(a, b);
        // Empirical frequencies of the first sampled token match softmax(logits) (10,000 draws; 4σ bound).
        var p = Softmax.Probabilities(model.NextTokenLogits([1]));
        var logits = model.NextTokenLogits([1]);
        var counts = new int[p.Length];
        var random = new Random(5);
        for (int i = 0; i < 10_000; i++) counts[GptModel.PlainSampling([], logits.ToArray(), random)]++;
        for (int v = 0; v < p.Length; v++)
            Assert.True(Math.Abs(counts[v] / 10_000.0 - p[v]) < 4 * Math.Sqrt(p[v] * (1 - p[v]) / 10_000) + 1e-9, $"token {v}: {counts[v]} vs p = {p[v]}");
    }

    [Fact]
    public void WithWeights_replaces_only_the_named_tensor()
    {
        var model = RandomModel(Small);
        var same = model.WithWeights(new Dictionary<string, float[]> { ["h.0.mlp.c_fc.bias"] = model.Weights["h.0.mlp.c_fc.bias"].Values.ToArray() });
        Assert.Equal(model.Logits([1, 2]), same.Logits([1, 2]));
        var zeroed = model.WithWeights(new Dictionary<string, float[]> { ["h.0.mlp.c_fc.bias"] = new float[32] });
        Assert.NotEqual(model.Logits([1, 2]), zeroed.Logits([1, 2]));
        Assert.Throws<InvalidDataException>(() => model.WithWeights(new Dictionary<string, float[]> { ["h.9.nope"] = new float[1] }));
        Assert.Throws<InvalidDataException>(() => model.WithWeights(new Dictionary<string, float[]> { ["wte.weight"] = new float[3] }));
        Assert.Equal([32, 8], model.Weights["h.0.mlp.c_fc.weight"].Shape);
        Assert.Equal(32, model.Weights["h.0.mlp.c_fc.weight"].ToMatrix().GetLength(0));
    }

    // ---- The shipped model (models/tiny-gpt) ----

    [Fact]
    public void Shipped_model_reproduces_TorchSharps_validation_cross_entropy()
    {
        // training.json records TorchSharp's mean cross-entropy on the first checkWindows validation windows; the plain-C#
        // forward pass must give the same number on the same tokens.
        var model = ShippedModel.Value;
        var record = model.TrainingRecord!;
        var validation = TokenWindows.Concatenate(SotuCorpus.Split(SotuCorpus.Load()).Validation.Select(a => a.Text), model.Tokenizer!);
        Assert.Equal(record.ValidationTokens, validation.Length);
        double csharp = model.CrossEntropy(validation, record.CheckWindows);
        Assert.True(Math.Abs(csharp - record.CheckCrossEntropy) < 1e-4, $"C# {csharp} vs TorchSharp {record.CheckCrossEntropy}");
        Assert.Equal(record.ParameterCount, model.ParameterCount);
        Assert.Equal(model.Weights.Values.Sum(w => (long)w.Length), model.ParameterCount);
        Assert.Equal(11, record.Evaluations.Count);
        Assert.Equal((2750, 64, 4.4913), (record.Evaluations[^1].Step, record.Evaluations[^1].Windows, record.Evaluations[^1].ValidationLoss));
        Assert.Null(record.Other);
    }

    [Fact]
    public void Shipped_model_next_token_table_is_a_sorted_slice_of_a_distribution()
    {
        var model = ShippedModel.Value;
        var table = model.NextTokenTable("The state of the Union is", top: 10);
        Assert.Equal(10, table.Count);
        Assert.Equal(Enumerable.Range(1, 10), table.Select(r => r.Rank));
        Assert.True(table.Zip(table.Skip(1)).All(p => p.First.Probability >= p.Second.Probability));
        var p = model.NextTokenProbabilities("The state of the Union is");
        Assert.Equal(1.0, p.Sum(), 1e-9);
        Assert.Equal(p.Max(), table[0].Probability, 1e-12);
        Assert.Equal(model.Tokenizer!.TokenText(table[0].Id), table[0].Token);
    }

    [Fact]
    public void Shipped_model_generation_is_reproducible_per_seed()
    {
        var model = ShippedModel.Value;
        var a = model.Generate("Fellow-Citizens of the Senate and House of Representatives:", 30, seed: 7);
        var b = model.Generate("Fellow-Citizens of the Senate and House of Representatives:", 30, seed: 7);
        Assert.Equal(a.GeneratedIds, b.GeneratedIds);
        Assert.StartsWith(a.Prompt, a.Text);
        Assert.Equal(0, a.PromptIds[0]);
    }

    [Fact]
    public void Broken_model_folders_throw_clear_exceptions()
    {
        var source = ShippedFolder();
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tinygpt-broken-" + Guid.NewGuid().ToString("N"))).FullName;
        void Reset()
        {
            foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        }
        var weights = Path.Combine(dir, ModelFolder.WeightsFileName);
        var config = Path.Combine(dir, ModelFolder.ConfigFileName);

        Reset();
        File.Delete(weights);
        Assert.Throws<FileNotFoundException>(() => GptModel.Load(dir));

        Reset();
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => GptModel.Load(dir)).Message);

        Reset();
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"dModel\": 128", "\"dModel\": 64").Replace("\"nHead\": 4", "\"nHead\": 2"));
        var shape = Assert.Throws<InvalidDataException>(() => GptModel.Load(dir));
        Assert.Contains("wte.weight", shape.Message);
        Assert.Contains("needs [4096, 64]", shape.Message);

        Reset();
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"norm\": \"PreLN\"", "\"norm\": \"PostLN\""));
        Assert.Contains("ln_f", Assert.Throws<InvalidDataException>(() => GptModel.Load(dir)).Message);

        Reset();
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"vocabSize\": 4096", "\"vocabSize\": 4000"));
        Assert.Contains("wte.weight", Assert.Throws<InvalidDataException>(() => GptModel.Load(dir)).Message);

        Directory.Delete(dir, true);
        Assert.Throws<DirectoryNotFoundException>(() => GptModel.Load(dir));
    }

    [Fact]
    public void Shipped_prompt_longer_than_nCtx_is_rejected()
    {
        var model = ShippedModel.Value;
        var e = Assert.Throws<ArgumentException>(() => model.NextTokenTable(string.Join(" ", Enumerable.Repeat("Union", 200))));
        Assert.Contains("nCtx = 128", e.Message);
    }
}
