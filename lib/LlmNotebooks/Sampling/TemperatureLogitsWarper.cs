using System.Globalization;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Temperature scaling: l_i ← l_i / T, so softmax(l / T). T &lt; 1 sharpens the distribution, T &gt; 1 flattens it,
/// T → 0 tends to greedy (argmax), T → ∞ to uniform over the finite tokens. -∞ stays -∞.
/// Source: Ackley, Hinton &amp; Sejnowski 1985 (Boltzmann distribution); Hugging Face TemperatureLogitsWarper.
/// </summary>
public sealed class TemperatureLogitsWarper : ILogitsProcessor
{
    /// <summary>Creates the warper.</summary>
    /// <param name="temperature">T, a finite number &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">T ≤ 0, NaN or ±∞; the message points to greedy decoding for T → 0.</exception>
    public TemperatureLogitsWarper(double temperature) => Temperature = Check(temperature, nameof(temperature));

    /// <summary>The temperature T (&gt; 0, dimensionless).</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public string Name => "temperature " + Temperature.ToString("G4", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">(ParamName "logits") l_i / T overflows float for some finite logit: this T
    /// needs |l_i| ≤ T × float.MaxValue (≈ 3.4028235e38); the message names the index and that bound. Nothing is written.</exception>
    public void Process(ReadOnlySpan<int> context, Span<float> logits)
    {
        LogitsChecks.Processed(logits, nameof(logits));
        for (int i = 0; i < logits.Length; i++)
            if (float.IsFinite(logits[i]) && !float.IsFinite((float)(logits[i] / Temperature)))
            {
                var bound = ((float)(Temperature * float.MaxValue)).ToString(CultureInfo.InvariantCulture);
                throw new ArgumentOutOfRangeException(nameof(logits), logits[i],
                    $"logits[{i}] / temperature = {logits[i].ToString(CultureInfo.InvariantCulture)} / {Temperature.ToString(CultureInfo.InvariantCulture)} " +
                    $"overflows float; with temperature {Temperature.ToString(CultureInfo.InvariantCulture)} every finite logit must satisfy " +
                    $"|logits[i]| ≤ temperature × float.MaxValue = {bound}. Use a larger temperature, or greedy decoding (SamplingPipeline.Greedy).");
            }
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(logits[i] / Temperature);
    }

    /// <summary>Validates a temperature; T ≤ 0 or NaN gets a message pointing to greedy decoding.</summary>
    internal static double Check(double temperature, string name)
    {
        if (double.IsFinite(temperature) && temperature > 0) return temperature;
        throw new ArgumentOutOfRangeException(name, temperature,
            $"{name} must be a finite number > 0; got {temperature.ToString(CultureInfo.InvariantCulture)}. " +
            "Temperature 0 does not exist (l / 0); its limit T → 0 is greedy decoding: use SamplingPipeline.Greedy (argmax).");
    }
}
