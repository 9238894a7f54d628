using LlmNotebooks.Gpt;

namespace LlmNotebooks.Training.Tests;

/// <summary>Asserts that an experiment's shipped log reproduces: the reusable check every registered experiment gets.</summary>
public static class ExperimentAssert
{
    /// <summary>Re-runs the first <paramref name="steps"/> steps of every run and fails listing each difference beyond the tolerance
    /// (<see cref="ExperimentReplay.DefaultTolerance"/> unless given).</summary>
    public static void Reproduces(IExperiment experiment, string shippedFolder, int steps = 5, double tolerance = ExperimentReplay.DefaultTolerance)
    {
        var shipped = ExperimentLog.Load(shippedFolder);
        var differences = ExperimentReplay.Differences(experiment, shipped, steps, tolerance);
        Assert.True(differences.Count == 0, $"{experiment.Name} does not reproduce its shipped log:{Environment.NewLine}" + string.Join(Environment.NewLine, differences));
    }
}

public class ExperimentTests
{
    /// <summary>A tiny experiment for the machinery only (not registered): two 1-layer GPTs, Pre-LN vs Post-LN with RMSNorm,
    /// on a synthetic stream where token i+1 follows token i, so the loss falls quickly.</summary>
    private sealed class TinyExperiment(int steps = 8) : TrainingExperiment
    {
        public override string Name => "tiny-test";

        public override string Description => "Pre-LN vs Post-LN on a counting stream (test only).";

        public override double BudgetSeconds => 30;

        protected override IEnumerable<RunPlan> Plan(ExperimentContext context)
        {
            int[] stream = [.. Enumerable.Range(0, 600).Select(i => i % 40)];
            var config = new GptConfig { NLayer = 1, NHead = 2, DModel = 16, NCtx = 8, VocabSize = 40, Norm = NormKind.RMSNorm };
            var options = new TrainingOptions { Steps = steps, BatchSize = 4, WarmupSteps = 2, LearningRate = 1e-2, MinLearningRate = 1e-3, EvalEvery = 2, Seed = context.Seed };
            var plans = new[] { new EvaluationPlan("validation", stream, Windows: 4) };
            yield return new RunPlan("pre-ln", config, options, stream, plans) { RecordLayerGradNorms = true };
            yield return new RunPlan("post-ln", config with { Placement = NormPlacement.PostLN }, options, stream, plans);
        }
    }

    private static string TempRoot() => Path.Combine(Path.GetTempPath(), "experiment-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void An_experiment_writes_a_typed_log_that_the_core_library_reads_back()
    {
        var root = TempRoot();
        var progress = new StringWriter();
        var written = ExperimentRunner.Run(new TinyExperiment(), new ExperimentSettings { OutputRoot = root, CommandLine = "experiment tiny-test", Log = progress });
        var log = ExperimentLog.Load(Path.Combine(root, "tiny-test"));
        Assert.Equal(["pre-ln", "post-ln"], log.Runs.Select(r => r.Name));
        Assert.Equal(ExperimentLog.CurrentFormat, log.Format);
        Assert.Equal(("tiny-test", "experiment tiny-test", 1, 2, (int?)null), (log.Name, log.Command, log.Seed, log.Threads, log.StepLimit));
        Assert.Contains("logical cores", log.Machine);
        Assert.StartsWith("TorchSharp ", log.Software);
        if (OperatingSystem.IsLinux()) Assert.NotNull(log.LoadAverage);
        var pre = log["pre-ln"];
        Assert.Equal(new GptConfig { NLayer = 1, NHead = 2, DModel = 16, NCtx = 8, VocabSize = 40, Norm = NormKind.RMSNorm }, pre.Config);
        Assert.Equal(8, pre.Steps.Count);
        Assert.Equal(Enumerable.Range(0, 8), pre.Steps.Select(s => s.Step));
        Assert.Equal(["embeddings", "h.0", "head"], pre.Steps[0].LayerGradNorms!.Keys);
        Assert.Null(log["post-ln"].Steps[0].LayerGradNorms);
        Assert.Equal([2, 4, 6, 8], pre.Metric("validation").Select(e => e.Step));
        Assert.All(pre.Evaluations, e => Assert.Equal(4, e.Windows));
        Assert.True(pre.Steps[^1].Loss < pre.Steps[0].Loss - 0.2, $"loss {pre.Steps[0].Loss} → {pre.Steps[^1].Loss}");
        Assert.Equal(8L * 4 * 8, pre.Tokens);
        Assert.Equal(2 * pre.Tokens, log.Compute.Tokens);
        Assert.Equal(log.Runs.Sum(r => 6.0 * r.ParameterCount * r.Tokens), log.Compute.TrainingFlops, 1e-9 * log.Compute.TrainingFlops); // C ≈ 6ND
        Assert.Equal(30, log.Compute.LimitSeconds);
        Assert.False(pre.Diverged);
        Assert.Null(pre.Weights);
        Assert.Equal(written.ToJson(), log.ToJson());
        var otherFormat = Assert.Throws<InvalidDataException>(() => ExperimentLog.FromJson(log.ToJson().Replace(ExperimentLog.CurrentFormat, "other/9"), "log.json"));
        Assert.Contains("format \"other/9\"", otherFormat.Message);
        Assert.Throws<InvalidDataException>(() => ExperimentLog.FromJson(log.ToJson().Replace("\"nLayer\": 1", "\"nLayer\": 0"), "log.json"));
        Assert.Contains("Run post-ln", progress.ToString());
        Assert.Throws<KeyNotFoundException>(() => log["no such run"]);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void A_shortened_rerun_reproduces_the_shipped_log_and_a_drifted_log_is_caught()
    {
        var root = TempRoot();
        ExperimentRunner.Run(new TinyExperiment(), new ExperimentSettings { OutputRoot = root });
        var folder = Path.Combine(root, "tiny-test");
        ExperimentAssert.Reproduces(new TinyExperiment(), folder, steps: 4);

        // A number that drifted by more than the tolerance, a changed schedule or an extra run are all reported.
        var shipped = ExperimentLog.Load(folder);
        var steps = shipped.Runs[0].Steps.ToArray();
        steps[1] = steps[1] with { Loss = steps[1].Loss + 0.01 };
        var drifted = shipped with { Runs = [shipped.Runs[0] with { Steps = steps }, shipped.Runs[1]] };
        var found = ExperimentReplay.Differences(new TinyExperiment(), drifted, steps: 4);
        Assert.Single(found);
        Assert.Contains("pre-ln step 1: loss", found[0]);
        Assert.Contains(ExperimentReplay.Differences(new TinyExperiment(steps: 9), shipped, steps: 3), d => d.Contains("training options differ"));
        Assert.Contains(ExperimentReplay.Compare(shipped, shipped with { Runs = [shipped.Runs[0]] }, 3), d => d.StartsWith("runs:"));
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void A_run_that_diverges_is_logged_as_diverged_and_kept_weights_form_a_model_folder()
    {
        var root = TempRoot();
        var log = ExperimentRunner.Run(new DivergingExperiment(), new ExperimentSettings { OutputRoot = root });
        var run = log["too-hot"];
        Assert.True(run.Diverged);
        Assert.True(run.Steps.Count < 20);
        Assert.False(double.IsFinite(run.Steps[^1].Loss));
        var reread = ExperimentLog.Load(Path.Combine(root, "diverging-test"));
        Assert.True(reread["too-hot"].Diverged);
        var kept = reread["kept"];
        Assert.Equal("kept", kept.Weights);
        var model = GptModel.Load(Path.Combine(root, "diverging-test", kept.Weights!));
        Assert.Equal(kept.Config, model.Config);
        Directory.Delete(root, recursive: true);
    }

    private sealed class DivergingExperiment : TrainingExperiment
    {
        public override string Name => "diverging-test";

        public override string Description => "A learning rate of 1e9 without clipping diverges (test only).";

        protected override IEnumerable<RunPlan> Plan(ExperimentContext context)
        {
            int[] stream = [.. Enumerable.Range(0, 300).Select(i => (i * 7) % 257)];
            var config = new GptConfig { NLayer = 1, NHead = 1, DModel = 8, NCtx = 8, VocabSize = 257, Placement = NormPlacement.PostLN };
            var hot = new TrainingOptions { Steps = 20, BatchSize = 2, Warmup = false, LearningRate = 1e9, MinLearningRate = 1e9, GradClip = 0, EvalEvery = 100 };
            yield return new RunPlan("too-hot", config, hot, stream, []);
            var tokenizer = TinyGptTokenizer.FromGpt2Ids([50256, .. Enumerable.Range(0, 256)]);
            yield return new RunPlan("kept", config, hot with { Steps = 2, LearningRate = 1e-3, MinLearningRate = 1e-4 }, stream, []) { SaveWeightsWith = tokenizer };
        }
    }

    [Fact]
    public void Bad_names_and_settings_are_rejected()
    {
        var root = TempRoot();
        Assert.Equal("experiment", Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(new Named("Not OK"), new ExperimentSettings { OutputRoot = root })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentRunner.Run(new TinyExperiment(), new ExperimentSettings { OutputRoot = root, StepLimit = 0 }));
        var twice = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(new Named("twice", duplicate: true), new ExperimentSettings { OutputRoot = root }));
        Assert.Contains("planned twice", twice.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "twice")), "a failed experiment leaves no folder");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private sealed class Named(string name, bool duplicate = false) : TrainingExperiment
    {
        public override string Name => name;

        public override string Description => "test only";

        protected override IEnumerable<RunPlan> Plan(ExperimentContext context)
        {
            int[] stream = [.. Enumerable.Range(0, 100).Select(i => i % 10)];
            var plan = new RunPlan("a", new GptConfig { NLayer = 1, NHead = 1, DModel = 8, NCtx = 4, VocabSize = 10 }, new TrainingOptions { Steps = 1, BatchSize = 1 }, stream, []);
            yield return plan;
            if (duplicate) yield return plan;
        }
    }

    [Fact]
    public void The_command_lists_runs_and_refuses_a_shortened_run_over_the_shipped_folder()
    {
        var error = new StringWriter();
        var output = new StringWriter();
        var (oldError, oldOut) = (Console.Error, Console.Out);
        Console.SetError(error);
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, TrainCommand.Create().Parse(["experiment", "--list"]).Invoke());
            Assert.Equal(1, TrainCommand.Create().Parse(["experiment", "no-such-experiment"]).Invoke());
        }
        finally
        {
            Console.SetError(oldError);
            Console.SetOut(oldOut);
        }
        Assert.Contains(ExperimentRegistry.All.Count == 0 ? "No experiments are registered yet." : ExperimentRegistry.All[0].Name, output.ToString());
        Assert.Contains("No experiment \"no-such-experiment\" is registered", error.ToString());
    }

    [Fact]
    public void Every_registered_experiment_reproduces_its_shipped_log()
    {
        // The product registers the questions' experiments (ExperimentRegistry.All); each must have shipped
        // models/experiments/<name>/log.json, and its first 5 steps must reproduce. Folders without an experiment are stale.
        var root = ModelFolder.Find("models");
        var shipped = Directory.Exists(Path.Combine(root, "experiments"))
            ? Directory.GetDirectories(Path.Combine(root, "experiments")).Select(Path.GetFileName).ToHashSet()
            : [];
        Assert.Equal(ExperimentRegistry.All.Select(e => e.Name).Order(), shipped.Order());
        foreach (var experiment in ExperimentRegistry.All)
            ExperimentAssert.Reproduces(experiment, Path.Combine(root, "experiments", experiment.Name));
    }
}
