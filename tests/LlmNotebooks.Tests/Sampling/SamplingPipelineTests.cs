using CsCheck;
using LlmNotebooks.Sampling;

namespace LlmNotebooks.Tests.Sampling;

public class SamplingPipelineTests
{
    private static float[] Log(params double[] probabilities) => probabilities.Select(p => (float)Math.Log(p)).ToArray();

    // Hugging Face GenerationMixin._get_logits_processor: repetition penalty (a processor) comes before the warpers,
    // which run temperature, top-k, top-p, min-p.
    [Fact]
    public void Default_order_is_Hugging_Face_order()
    {
        Assert.Equal(
            [SamplingStage.RepetitionPenalty, SamplingStage.Temperature, SamplingStage.TopK, SamplingStage.TopP, SamplingStage.MinP],
            SamplingPipeline.DefaultOrder);
        var pipeline = new SamplingPipeline { TopP = 0.9, MinP = 0.05, Temperature = 0.7, TopK = 50, RepetitionPenalty = 1.2 };
        Assert.Equal(["repetition penalty 1.2", "temperature 0.7", "top-k 50", "top-p 0.9", "min-p 0.05"],
            pipeline.Processors.Select(p => p.Name));
    }

    [Fact]
    public void Only_set_stages_run()
    {
        Assert.Empty(new SamplingPipeline().Processors);
        var p = new SamplingPipeline { TopP = 0.5 };
        Assert.IsType<TopPLogitsWarper>(Assert.Single(p.Processors));
    }

    // Order matters: with P = [0.5, 0.3, 0.2] and p = 0.8, top-p then T = 2 keeps 2 tokens, T = 2 then top-p keeps all
    // 3 (the flattened distribution [0.431, 0.334, 0.273] needs all three to reach 0.8).
    [Fact]
    public void Temperature_before_or_after_top_p_changes_the_nucleus()
    {
        float[] logits = Log(0.5, 0.3, 0.2);
        var hfOrder = new SamplingPipeline { Temperature = 2.0, TopP = 0.8 };
        var topPFirst = new SamplingPipeline
        {
            Temperature = 2.0, TopP = 0.8,
            Order = [SamplingStage.TopP, SamplingStage.Temperature],
        };
        Assert.Equal([0, 1, 2], hfOrder.Trace([], logits)[^1].Kept.Order());
        Assert.Equal([0, 1], topPFirst.Trace([], logits)[^1].Kept.Order());
    }

    [Fact]
    public void Order_must_run_every_set_stage_and_list_each_once()
    {
        var missing = new SamplingPipeline { TopK = 5, Order = [SamplingStage.Temperature] };
        Assert.Contains("TopK", Assert.Throws<InvalidOperationException>(() => missing.AsSelector()).Message);
        var e = Assert.Throws<ArgumentException>(() => new SamplingPipeline { Order = [SamplingStage.TopK, SamplingStage.TopK] });
        Assert.Equal("Order", e.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void Temperature_zero_is_rejected_at_configuration_and_points_to_greedy(double t)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { Temperature = t });
        Assert.Equal("Temperature", e.ParamName);
        Assert.Contains("Greedy", e.Message);
    }

    [Fact]
    public void Other_parameters_are_validated_at_configuration()
    {
        Assert.Equal("TopP", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { TopP = 0 }).ParamName);
        Assert.Equal("TopP", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { TopP = 1.5 }).ParamName);
        Assert.Equal("TopK", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { TopK = 0 }).ParamName);
        Assert.Equal("MinP", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { MinP = -0.1 }).ParamName);
        Assert.Equal("RepetitionPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { RepetitionPenalty = -1 }).ParamName);
        Assert.Equal("MinTokensToKeep", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingPipeline { MinTokensToKeep = 0 }).ParamName);
    }

    // The entry contract: raw model logits must be finite, -∞ included; between processors -∞ is legal.
    [Fact]
    public void Raw_logits_with_minus_infinity_are_rejected_at_the_entry_without_writing()
    {
        var pipeline = new SamplingPipeline { Temperature = 0.5, TopK = 1 };
        float[] logits = [1f, float.NegativeInfinity, 2f];
        var e = Assert.Throws<ArgumentException>(() => pipeline.Process([], logits));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("logits[1]", e.Message);
        Assert.Equal([1f, float.NegativeInfinity, 2f], logits);
        Assert.Throws<ArgumentException>(() => SamplingPipeline.Greedy([], logits, new Random(0)));
        Assert.Throws<ArgumentException>(() => pipeline.AsSelector()([], new[] { float.NaN }, new Random(0)));
    }

    // The repetition penalty runs first and succeeds ([1, 2, 3] → [1, 2, 1.5] for θ = 2 and context [2]); then
    // temperature 1e-39 overflows float (2 / 1e-39 > 3.4e38) and throws. The caller's logits must still be the input.
    [Fact]
    public void A_failure_in_a_later_stage_leaves_the_logits_unchanged()
    {
        var pipeline = new SamplingPipeline { RepetitionPenalty = 2, Temperature = 1e-39 };
        float[] logits = [1f, 2f, 3f];
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Process([2], logits));
        Assert.Equal([1f, 2f, 3f], logits);
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.AsSelector()([2], logits, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.AsGreedySelector()([2], logits, new Random(0)));
        Assert.Equal([1f, 2f, 3f], logits);

        // The same pipeline on logits it can scale still works in place.
        var ok = new SamplingPipeline { RepetitionPenalty = 2, Temperature = 0.5 };
        ok.Process([2], logits);
        Assert.Equal([2f, 4f, 3f], logits);
    }

    [Fact]
    public void Context_ids_outside_the_vocabulary_are_rejected_before_any_stage_runs()
    {
        var pipeline = new SamplingPipeline { Temperature = 0.5 };
        float[] logits = [1f, 2f];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Process([1, -1], logits));
        Assert.Equal("context", e.ParamName);
        Assert.Equal([1f, 2f], logits);
    }

    [Fact]
    public void Top_p_after_top_k_accepts_the_filtered_tokens()
    {
        var pipeline = new SamplingPipeline { TopK = 2, TopP = 0.6 };
        float[] logits = Log(0.5, 0.3, 0.2);
        pipeline.Process([], logits);
        // top-k 2 leaves {0.625, 0.375}; top-p 0.6 keeps the first only
        Assert.True(float.IsFinite(logits[0]) && float.IsNegativeInfinity(logits[1]) && float.IsNegativeInfinity(logits[2]));
    }

    [Fact]
    public void Trace_shows_each_stage_renormalised_HF_top_p_example()
    {
        var views = new SamplingPipeline { TopP = 0.8 }.Trace([], Log(0.3, 0.1, 0.1, 0.5));
        Assert.Equal(["logits", "top-p 0.8"], views.Select(v => v.Stage));
        Assert.Equal([3, 0, 2, 1], views[0].Kept); // probability descending; the 0.1 tie by id descending
        Assert.Equal([3, 0], views[1].Kept);
        Assert.Equal(0.625, views[1].Probabilities[3], 1e-6);
        Assert.Equal(0.375, views[1].Probabilities[0], 1e-6);
        Assert.Equal(0.0, views[1].Probabilities[1]);
        // entropy of {0.375, 0.625} = 0.954434 bits
        Assert.Equal(-(0.375 * Math.Log2(0.375) + 0.625 * Math.Log2(0.625)), views[1].EntropyBits, 1e-6);
        Assert.True(views[1].EntropyNats < views[0].EntropyNats);
    }

    [Fact]
    public void Trace_is_pure()
    {
        float[] logits = [1f, 2f, 3f];
        var pipeline = new SamplingPipeline { Temperature = 0.5, TopK = 1 };
        pipeline.Trace([], logits);
        Assert.Equal([1f, 2f, 3f], logits);
        Assert.Equal(pipeline.Trace([], logits).Select(v => v.Kept.Length), pipeline.Trace([], logits).Select(v => v.Kept.Length));
    }

    [Fact]
    public void Greedy_is_argmax_and_ignores_random()
    {
        float[] logits = [0.1f, 3f, 3f, -1f];
        Assert.Equal(1, SamplingPipeline.Greedy([], logits, new Random(1)));
        Assert.Equal(1, SamplingPipeline.Greedy([], logits, new Random(2)));
        Assert.Equal([0.1f, 3f, 3f, -1f], logits);
    }

    [Fact]
    public void Selector_is_reproducible_and_only_returns_kept_tokens_property()
    {
        var selector = new SamplingPipeline { RepetitionPenalty = 1.2, Temperature = 0.7, TopK = 5, TopP = 0.9 }.AsSelector();
        Gen.Select(Gen.Float[-4f, 4f].Array[8, 300], Gen.Int, Gen.Int[0, 7].Array[0, 10]).Sample((logits, seed, context) =>
        {
            int a = selector(context, (float[])logits.Clone(), new Random(seed));
            int b = selector(context, (float[])logits.Clone(), new Random(seed));
            Assert.Equal(a, b);
            var processed = (float[])logits.Clone();
            new SamplingPipeline { RepetitionPenalty = 1.2, Temperature = 0.7, TopK = 5, TopP = 0.9 }.Process(context, processed);
            Assert.True(float.IsFinite(processed[a]));
        }, iter: 300);
    }

    // The default HF example in the brief runs end to end on a GPT-2-sized vocabulary.
    [Fact]
    public void Brief_example_on_a_GPT2_sized_vocabulary()
    {
        var selector = new SamplingPipeline { RepetitionPenalty = 1.2, Temperature = 0.7, TopK = 50, TopP = 0.9 }.AsSelector();
        float[] logits = Logits.Zipf(50_257, 1.1, seed: 5);
        var kept = new SamplingPipeline { RepetitionPenalty = 1.2, Temperature = 0.7, TopK = 50, TopP = 0.9 }
            .Trace([10, 20, 10], logits)[^1].Kept.ToHashSet();
        var random = new Random(11);
        for (int i = 0; i < 20; i++) Assert.Contains(selector([10, 20, 10], (float[])logits.Clone(), random), kept);
        Assert.InRange(kept.Count, 1, 50);
    }
}
