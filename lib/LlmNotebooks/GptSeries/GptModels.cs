using LlmNotebooks.Gpt;

namespace LlmNotebooks.GptSeries;

/// <summary>
/// The configs of the GPT checkpoints OpenAI released (GPT-1 and the four GPT-2 sizes), as data with sources.
/// Their parameter counts (<see cref="GptConfig.CountParameters"/>) equal the released checkpoints exactly.
/// For the eight GPT-3 sizes (weights never released) see <see cref="Gpt3Paper"/>.
/// </summary>
public static class GptModels
{
    /// <summary>
    /// GPT-1 ("openai-gpt"): 12 Post-LN blocks, dModel 768, 12 heads, dFf 3072, 512 positions, vocabulary 40,478, no ln_f,
    /// head tied to the token embedding. 116,534,784 parameters.
    /// </summary>
    /// <remarks>
    /// Paper §4.1 (Radford et al. 2018): "12-layer decoder-only transformer with masked self-attention heads (768 dimensional
    /// states and 12 attention heads)", "3072 dimensional inner states", "BPE vocabulary with 40,000 merges", sequences of
    /// 512 tokens, learned position embeddings. The paper prints no parameter count and no vocabulary size; 40,478 and
    /// the absence of a final LayerNorm come from the released weights (openai/finetune-transformer-lm model/params_shapes.json:
    /// [512, 768], [40478, 768], then 12 shapes per block, nothing after the last block) and the openai-gpt config.json.
    /// </remarks>
    public static GptConfig OpenAiGpt { get; } = new GptConfig
    {
        Name = "openai-gpt", NLayer = 12, DModel = 768, NHead = 12, NCtx = 512, VocabSize = 40478, Placement = NormPlacement.PostLN,
        Source = "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training, §4.1; " +
                 "released weights openai/finetune-transformer-lm model/params_shapes.json; huggingface.co/openai-community/openai-gpt config.json",
    }.Validate();

    /// <summary>GPT-2 small ("gpt2"): 12 layers, dModel 768, 12 heads, 1,024 positions, vocabulary 50,257. 124,439,808 parameters (the paper's "117M").</summary>
    public static GptConfig Gpt2 { get; } = Gpt2Size("gpt2", 12, 768, 12, "117M");

    /// <summary>GPT-2 medium ("gpt2-medium"): 24 layers, dModel 1024, 16 heads. 354,823,168 parameters (the paper's "345M").</summary>
    public static GptConfig Gpt2Medium { get; } = Gpt2Size("gpt2-medium", 24, 1024, 16, "345M");

    /// <summary>GPT-2 large ("gpt2-large"): 36 layers, dModel 1280, 20 heads. 774,030,080 parameters (the paper's "762M").</summary>
    public static GptConfig Gpt2Large { get; } = Gpt2Size("gpt2-large", 36, 1280, 20, "762M");

    /// <summary>GPT-2 XL ("gpt2-xl", "GPT-2"): 48 layers, dModel 1600, 25 heads. 1,557,611,200 parameters (the paper's "1542M").</summary>
    public static GptConfig Gpt2Xl { get; } = Gpt2Size("gpt2-xl", 48, 1600, 25, "1542M");

    /// <summary>The five released checkpoints in order of size: openai-gpt, gpt2, gpt2-medium, gpt2-large, gpt2-xl.</summary>
    public static IReadOnlyList<GptConfig> Released { get; } = [OpenAiGpt, Gpt2, Gpt2Medium, Gpt2Large, Gpt2Xl];

    /// <summary>
    /// Parameter counts of the released checkpoints as reported by Hugging Face transformers' num_parameters() of the base
    /// models (OpenAIGPTModel, GPT2Model), keyed by checkpoint name. Reference values for tests and for the notebook's
    /// "published vs computed" table; GPT-2's model card (openai/gpt-2 model_card.md) rounds them to 124M, 355M, 774M, 1.5B.
    /// </summary>
    public static IReadOnlyDictionary<string, long> ReleasedParameterCounts { get; } = new Dictionary<string, long>
    {
        ["openai-gpt"] = 116_534_784,
        ["gpt2"] = 124_439_808,
        ["gpt2-medium"] = 354_823_168,
        ["gpt2-large"] = 774_030_080,
        ["gpt2-xl"] = 1_557_611_200,
    };

    /// <summary>
    /// GPT-2 paper Table 2 sizes as first published (Parameters, Layers, dmodel): 117M/12/768, 345M/24/1024, 762M/36/1280,
    /// 1542M/48/1600, keyed by checkpoint name. They are below the released counts by 7.4M–15.6M; the model card revised them
    /// to 124M/355M/774M/1.5B.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Gpt2PaperTable2Parameters { get; } = new Dictionary<string, long>
    {
        ["gpt2"] = 117_000_000,
        ["gpt2-medium"] = 345_000_000,
        ["gpt2-large"] = 762_000_000,
        ["gpt2-xl"] = 1_542_000_000,
    };

    private static GptConfig Gpt2Size(string name, int nLayer, int dModel, int nHead, string paperSize) => new GptConfig
    {
        Name = name, NLayer = nLayer, DModel = dModel, NHead = nHead, NCtx = 1024, VocabSize = 50257, Placement = NormPlacement.PreLN,
        Source = $"huggingface.co/openai-community/{name} config.json (n_layer {nLayer}, n_embd {dModel}, n_head {nHead}, n_positions 1024, vocab_size 50257); " +
                 $"Radford et al. 2019, Language Models are Unsupervised Multitask Learners, §2.3 (vocabulary 50,257, context 1024, Pre-LN + final LayerNorm) and Table 2 ({paperSize}).",
    }.Validate();
}
