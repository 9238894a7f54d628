using System.Diagnostics;
using System.Globalization;
using LlmNotebooks.Gpt;

namespace LlmNotebooks.Training;

/// <summary>A measurement a training loop takes every Options.EvalEvery steps.</summary>
/// <param name="Metric">Its name in the log, e.g. "validation".</param>
/// <param name="Tokens">The stream it is measured on (evaluation windows, <see cref="TokenWindows.EvaluationWindow"/>).</param>
/// <param name="Windows">The first windows to use; 0 = all.</param>
/// <param name="Mode">Eval, or Train for BatchNorm's batch statistics (running statistics frozen while measuring).</param>
public sealed record EvaluationPlan(string Metric, int[] Tokens, int Windows = 64, ForwardMode Mode = ForwardMode.Eval);

/// <summary>The optimizer loop shared by the `train` command and the experiments: steps, progress lines, periodic measurements.</summary>
public static class TrainingLoop
{
    /// <summary>What a loop did.</summary>
    /// <param name="Steps">Every step done.</param>
    /// <param name="Evaluations">Every measurement.</param>
    /// <param name="Seconds">Wall time of the steps and measurements.</param>
    /// <param name="Tokens">Training tokens processed.</param>
    /// <param name="Diverged">True when a loss became NaN or ±∞ (the loop stopped after that step).</param>
    public sealed record Result(IReadOnlyList<TrainingStep> Steps, IReadOnlyList<Evaluation> Evaluations, double Seconds, long Tokens, bool Diverged);

    /// <summary>
    /// Runs the trainer's next <paramref name="steps"/> steps. After step s (1-based) with s % EvalEvery = 0 it measures every
    /// plan, unless s is the last step of the schedule and <paramref name="measureAtLastStep"/> is false. A progress line
    /// every <paramref name="logEvery"/> steps (and after the first) gives loss, learning rate, gradient norm, tokens/s and ETA.
    /// </summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="steps">Steps to run; in [0, Options.Steps − StepsDone].</param>
    /// <param name="plans">Measurements to take.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="logEvery">Steps between progress lines; ≥ 1.</param>
    /// <param name="recordLayerGradNorms">Keep each step's per-group gradient norms in its record.</param>
    /// <param name="measureAtLastStep">Measure after the schedule's last step too.</param>
    /// <param name="stopOnDivergence">True: stop after a non-finite loss and report it; false: throw.</param>
    /// <exception cref="ArgumentOutOfRangeException">steps or logEvery out of range.</exception>
    /// <exception cref="InvalidDataException">A non-finite loss with stopOnDivergence false.</exception>
    public static Result Run(GptTrainer trainer, int steps, IReadOnlyList<EvaluationPlan> plans, TextWriter log, int logEvery = 25,
        bool recordLayerGradNorms = false, bool measureAtLastStep = true, bool stopOnDivergence = false)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(log);
        var options = trainer.Options;
        if (steps < 0 || steps > options.Steps - trainer.StepsDone)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must lie in [0, {options.Steps - trainer.StepsDone}] (steps left); got {steps}.");
        Guard.Positive(logEvery);
        var records = new List<TrainingStep>(steps);
        var evaluations = new List<Evaluation>();
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        bool diverged = false;
        for (int i = 0; i < steps; i++)
        {
            var step = trainer.Step();
            records.Add(recordLayerGradNorms ? step : step with { LayerGradNorms = null });
            tokens += step.Tokens;
            int done = step.Step + 1;
            if (!double.IsFinite(step.Loss))
            {
                if (!stopOnDivergence) throw new InvalidDataException($"Training diverged: loss {step.Loss} at step {step.Step}.");
                log.WriteLine(Inv($"step {done,5}/{options.Steps} | loss {step.Loss} | diverged: stopping"));
                diverged = true;
                break;
            }
            if (done % logEvery == 0 || i == 0)
            {
                double rate = tokens / clock.Elapsed.TotalSeconds;
                var eta = TimeSpan.FromSeconds((steps - i - 1) * clock.Elapsed.TotalSeconds / (i + 1));
                log.WriteLine(Inv($"step {done,5}/{options.Steps} | loss {step.Loss:F4} | lr {step.LearningRate:E2} | grad norm {step.GradNorm:F3} | {rate:N0} tok/s | {clock.Elapsed:mm\\:ss} elapsed | ETA {eta:mm\\:ss}"));
            }
            if (done % options.EvalEvery == 0 && (measureAtLastStep || done < options.Steps))
                foreach (var plan in plans)
                {
                    double value = trainer.EvaluateLoss(plan.Tokens, plan.Windows, plan.Mode);
                    int windows = TokenWindows.EvaluationWindowsUsed(plan.Tokens.Length, trainer.Model.Config.NCtx, plan.Windows);
                    evaluations.Add(new Evaluation(done, plan.Metric, windows, value));
                    log.WriteLine(Inv($"  {plan.Metric} ({windows} windows): loss {value:F4}, perplexity {Math.Exp(value):F2}"));
                }
        }
        return new Result(records, evaluations, clock.Elapsed.TotalSeconds, tokens, diverged);
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
