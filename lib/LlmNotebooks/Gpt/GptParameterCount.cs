using System.Globalization;

namespace LlmNotebooks.Gpt;

/// <summary>One row of the parameter breakdown table.</summary>
/// <param name="Component">What the parameters are, e.g. "attention weights (c_attn + c_proj)".</param>
/// <param name="Formula">The count written out in the config's symbols, e.g. "nLayer·(3·dModel² + dModel²)".</param>
/// <param name="Count">Number of parameters in this group.</param>
/// <param name="Fraction">Count / total, in [0, 1].</param>
public sealed record ParameterGroup(string Component, string Formula, long Count, double Fraction);

/// <summary>
/// Exact trainable-parameter count of a <see cref="GptConfig"/>, summed over its <see cref="GptConfig.Tensors"/> (block 0
/// times nLayer, so a 96-layer config costs one block) and broken down by component:
/// wte V·d; wpe n·d; attention L·(3d·d + d·d) weights and L·(3d + d) biases; MLP L·2·d·f weights and L·(f + d) biases;
/// norms (2L + [ln_f])·(γ [+ β]); a separate head V·d (GPT heads have no bias). Running statistics are not counted.
/// Reproduces the released checkpoints: openai-gpt 116,534,784; gpt2 124,439,808; gpt2-medium 354,823,168;
/// gpt2-large 774,030,080; gpt2-xl 1,557,611,200 (Hugging Face num_parameters of the base models).
/// </summary>
public sealed record GptParameterCount
{
    private GptParameterCount(GptConfig config, long[] groups)
    {
        Config = config;
        (TokenEmbedding, PositionEmbedding, AttentionWeights, AttentionBiases, MlpWeights, MlpBiases, Norms, OutputHead) =
            (groups[0], groups[1], groups[2], groups[3], groups[4], groups[5], groups[6], groups[7]);
        Total = checked(groups.Sum());
    }

    /// <summary>Counts the parameters of <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The config is invalid.</exception>
    /// <exception cref="ArgumentException">The count does not fit in an Int64 (names config).</exception>
    public static GptParameterCount Of(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        try
        {
            var groups = new long[8];
            foreach (var t in config.EmbeddingTensors().Concat(config.HeadTensors())) Add(groups, t, 1);
            foreach (var t in config.BlockTensors(0)) Add(groups, t, config.NLayer);
            return new GptParameterCount(config, groups);
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"config {config.Name} has more parameters than an Int64 can hold (max {long.MaxValue}).", nameof(config), e);
        }
    }

    private static void Add(long[] groups, CheckpointTensor t, long times)
    {
        if (!t.Trained) return;
        groups[GroupOf(t.Name)] = checked(groups[GroupOf(t.Name)] + times * t.Count);
    }

    private static int GroupOf(string name)
    {
        bool weight = name.EndsWith(".weight", StringComparison.Ordinal);
        if (name.StartsWith("wte.", StringComparison.Ordinal)) return 0;
        if (name.StartsWith("wpe.", StringComparison.Ordinal)) return 1;
        if (name.Contains(".attn.", StringComparison.Ordinal)) return weight ? 2 : 3;
        if (name.Contains(".mlp.", StringComparison.Ordinal)) return weight ? 4 : 5;
        if (name.StartsWith("lm_head.", StringComparison.Ordinal)) return 7;
        return 6; // ln_1, ln_2, ln_f
    }

    /// <summary>The config that was counted.</summary>
    public GptConfig Config { get; }

    /// <summary>Token embedding wte [vocabSize, dModel]: vocabSize·dModel.</summary>
    public long TokenEmbedding { get; }

    /// <summary>Learned position embedding wpe [nCtx, dModel]: nCtx·dModel; 0 for sinusoidal or rotary positions.</summary>
    public long PositionEmbedding { get; }

    /// <summary>Attention weight matrices c_attn [3d, d] and c_proj [d, d] in all blocks: nLayer·4·dModel².</summary>
    public long AttentionWeights { get; }

    /// <summary>Attention biases (c_attn [3d], c_proj [d]) in all blocks: nLayer·4·dModel; 0 without bias.</summary>
    public long AttentionBiases { get; }

    /// <summary>MLP weight matrices c_fc [dFf, d] and c_proj [d, dFf] in all blocks: nLayer·2·dModel·dFf.</summary>
    public long MlpWeights { get; }

    /// <summary>MLP biases (c_fc [dFf], c_proj [d]) in all blocks: nLayer·(dFf + dModel); 0 without bias.</summary>
    public long MlpBiases { get; }

    /// <summary>Every norm's γ and β (ln_1, ln_2 of each block, and ln_f): (2·nLayer + [ln_f])·2·dModel with LayerNorm and bias.</summary>
    public long Norms { get; }

    /// <summary>Separate output head [vocabSize, dModel]; 0 when tied to wte.</summary>
    public long OutputHead { get; }

    /// <summary>Total trainable parameters (the number PyTorch's sum(p.numel()) or Hugging Face num_parameters gives).</summary>
    public long Total { get; }

    /// <summary>wte + wpe: parameters that are looked up, not multiplied.</summary>
    public long Embeddings => TokenEmbedding + PositionEmbedding;

    /// <summary>Every bias vector: attention, MLP and the norms' β.</summary>
    public long Biases => AttentionBiases + MlpBiases + NormBiases;

    /// <summary>Kaplan et al.'s N (arXiv:2001.08361 §2.1): Total − wte − wpe − a separate head (also a vocabulary matrix).</summary>
    public long NonEmbedding => Total - TokenEmbedding - PositionEmbedding - OutputHead;

    /// <summary>Kaplan et al. Eq. 2.1: N ≈ 2·dModel·nLayer·(2·dAttn + dFf), dAttn = dModel; 12·nLayer·dModel² when dFf = 4·dModel.
    /// Drops biases and norms ("sub-leading terms"), so it is a little below <see cref="NonEmbedding"/>.</summary>
    public long KaplanApproximation => 2L * Config.DModel * Config.NLayer * (2L * Config.DModel + Config.DFf);

    private long NormBiases => Config.Bias && Config.Norm is NormKind.LayerNorm or NormKind.BatchNorm ? Norms / 2 : 0;

    /// <summary>The breakdown as table rows (component, formula, count, fraction of the total), in checkpoint order.</summary>
    public IReadOnlyList<ParameterGroup> Groups
    {
        get
        {
            var c = Config;
            string perNorm = c.Norm == NormKind.None ? "0" : c.Bias && c.Norm != NormKind.RMSNorm ? "2·dModel" : "dModel";
            string norms = c.Norm switch
            {
                NormKind.LayerNorm => c.Bias ? "LayerNorms (γ, β)" : "LayerNorms (γ)",
                NormKind.RMSNorm => "RMSNorms (γ)",
                NormKind.BatchNorm => c.Bias ? "BatchNorms (γ, β)" : "BatchNorms (γ)",
                _ => "norms (none)",
            };
            var rows = new List<(string, string, long)>
            {
                ("token embedding wte", "vocabSize·dModel", TokenEmbedding),
                ("position embedding wpe", c.Positions == PositionalScheme.Learned ? "nCtx·dModel" : "0 (not learned)", PositionEmbedding),
                ("attention weights (c_attn + c_proj)", "nLayer·(3·dModel² + dModel²)", AttentionWeights),
                ("attention biases", c.Bias ? "nLayer·(3·dModel + dModel)" : "0 (no bias)", AttentionBiases),
                ("MLP weights (c_fc + c_proj)", "nLayer·2·dModel·dFf", MlpWeights),
                ("MLP biases", c.Bias ? "nLayer·(dFf + dModel)" : "0 (no bias)", MlpBiases),
                (norms, (c.HasFinalNorm ? "(2·nLayer + 1)·" : "2·nLayer·") + perNorm, Norms),
                ("output head", c.TiedEmbeddings ? "0 (tied to wte)" : "vocabSize·dModel", OutputHead),
            };
            return rows.Select(r => new ParameterGroup(r.Item1, r.Item2, r.Item3, (double)r.Item3 / Total)).ToArray();
        }
    }

    /// <summary>"124,439,808 parameters (gpt2)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Total:N0} parameters ({Config.Name})");
}
