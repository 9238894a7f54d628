namespace LlmNotebooks.Sampling;

/// <summary>The stages a <see cref="SamplingPipeline"/> can run, named after the Hugging Face processors.</summary>
public enum SamplingStage
{
    /// <summary><see cref="RepetitionPenaltyLogitsProcessor"/>.</summary>
    RepetitionPenalty,

    /// <summary><see cref="TemperatureLogitsWarper"/>.</summary>
    Temperature,

    /// <summary><see cref="TopKLogitsWarper"/>.</summary>
    TopK,

    /// <summary><see cref="TopPLogitsWarper"/>.</summary>
    TopP,

    /// <summary><see cref="MinPLogitsWarper"/>.</summary>
    MinP,
}
