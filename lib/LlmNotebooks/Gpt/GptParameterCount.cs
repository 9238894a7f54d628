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
/// Grouped-query attention, attention sinks, SwiGLU and experts (with their router) are counted from the same tensor list;
/// gpt-oss-120b gives 116,829,156,672 in total and 5,132,849,472 active, gpt-oss-20b 20,914,757,184 and 3,608,307,264
/// (model card arXiv:2508.10925 Table 1: 116.83B / 5.13B and 20.91B / 3.61B).
/// </summary>
public sealed record GptParameterCount
{
    private GptParameterCount(GptConfig config, long[] groups)
    {
        Config = config;
        (TokenEmbedding, PositionEmbedding, AttentionWeights, AttentionBiases, MlpWeights, MlpBiases, Norms, OutputHead) =
            (groups[0], groups[1], groups[2], groups[3], groups[4], groups[5], groups[6], groups[7]);
        (AttentionSinks, Router) = (groups[8], groups[9]);
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
            var groups = new long[10];
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
        if (name.EndsWith(".attn.sinks", StringComparison.Ordinal)) return 8;
        if (name.Contains(".mlp.router.", StringComparison.Ordinal)) return 9;
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

    /// <summary>Attention weight matrices c_attn [3d, d] and c_proj [d, d] in all blocks: nLayer·4·dModel²; with grouped-query
    /// attention nLayer·((nHead + 2·nKvHead)·dHead·dModel + dModel·nHead·dHead).</summary>
    public long AttentionWeights { get; }

    /// <summary>Attention biases (c_attn [3d], c_proj [d]) in all blocks: nLayer·4·dModel; 0 without bias.</summary>
    public long AttentionBiases { get; }

    /// <summary>Attention sinks, one logit per head and layer: nLayer·nHead; 0 without sinks.</summary>
    public long AttentionSinks { get; }

    /// <summary>Router of a mixture of experts, [nExpert, dModel] plus bias [nExpert] per layer; 0 for a dense MLP.</summary>
    public long Router { get; }

    /// <summary>MLP weight matrices c_fc [dFf, d] and c_proj [d, dFf] in all blocks: nLayer·2·dModel·dFf; SwiGLU 3·dModel·dFf
    /// per layer; a mixture of experts counts every expert (nExpert times that).</summary>
    public long MlpWeights { get; }

    /// <summary>MLP biases (c_fc [dFf], c_proj [d]) in all blocks: nLayer·(dFf + dModel); 0 without bias; SwiGLU and experts
    /// as for <see cref="MlpWeights"/>.</summary>
    public long MlpBiases { get; }

    /// <summary>Every norm's γ and β (ln_1, ln_2 of each block, and ln_f): (2·nLayer + [ln_f])·2·dModel with LayerNorm and bias.</summary>
    public long Norms { get; }

    /// <summary>Separate output head [vocabSize, dModel]; 0 when tied to wte.</summary>
    public long OutputHead { get; }

    /// <summary>Total trainable parameters (the number PyTorch's sum(p.numel()) or Hugging Face num_parameters gives).</summary>
    public long Total { get; }

    /// <summary>wte + wpe: parameters that are looked up, not multiplied.</summary>
    public long Embeddings => TokenEmbedding + PositionEmbedding;

    /// <summary>One expert of one layer (its c_fc and c_proj with biases): gpt-oss 2880·5760 + 5760 + 2880·2880 + 2880 =
    /// 24,891,840; the whole MLP of a layer for a dense model.</summary>
    public long PerExpert => (MlpWeights + MlpBiases) / ((long)Config.NLayer * Math.Max(1, Config.NExpert));

    /// <summary>
    /// Parameters one token passes through, under the gpt-oss model card's convention (arXiv:2508.10925 Table 1 caption:
    /// "Unembedding parameters are counted towards active, but not embeddings"): Total − wpe − the input embedding wte
    /// when a separate head exists (a tied wte is the unembedding) − the experts a token is not routed to,
    /// nLayer·(nExpert − nExpertPerToken)·<see cref="PerExpert"/>. gpt-oss-120b: 5,132,849,472.
    /// </summary>
    public long Active => Total - PositionEmbedding - (Config.TiedEmbeddings ? 0 : TokenEmbedding)
        - (long)Config.NLayer * (Config.NExpert - Config.NExpertPerToken) * PerExpert;

    /// <summary>Every bias vector: attention, MLP and the norms' β (a router's bias is counted in <see cref="Router"/>).</summary>
    public long Biases => AttentionBiases + MlpBiases + NormBiases;

    /// <summary>Kaplan et al.'s N (arXiv:2001.08361 §2.1): Total − wte − wpe − a separate head (also a vocabulary matrix).</summary>
    public long NonEmbedding => Total - TokenEmbedding - PositionEmbedding - OutputHead;

    /// <summary>Kaplan et al. Eq. 2.1: N ≈ 2·dModel·nLayer·(2·dAttn + dFf), dAttn = dModel; 12·nLayer·dModel² when dFf = 4·dModel.
    /// Drops biases and norms ("sub-leading terms"), so it is a little below <see cref="NonEmbedding"/>. Written for dense
    /// multi-head GELU models; for grouped-query, SwiGLU or expert configs it is only Eq. 2.1 evaluated on dModel and dFf.</summary>
    public long KaplanApproximation => 2L * Config.DModel * Config.NLayer * (2L * Config.DModel + Config.DFf);

    private long NormBiases => Config.Bias && Config.Norm is NormKind.LayerNorm or NormKind.BatchNorm ? Norms / 2 : 0;

    /// <summary>The breakdown as table rows (component, formula, count, fraction of the total), in checkpoint order: eight rows
    /// for a GPT (wte, wpe, attention weights and biases, MLP weights and biases, norms, head), plus attention sinks and the
    /// router when the config has them.</summary>
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
            bool mha = c.NKvHead == c.NHead && c.NHead * c.DHead == c.DModel;
            string experts = c.IsMixtureOfExperts ? "nExpert·" : "";
            string mlpWeights = c.Mlp == MlpKind.SwiGlu ? "3·dModel·dFf" : "2·dModel·dFf";
            string mlpBiases = c.Mlp == MlpKind.SwiGlu ? "(2·dFf + dModel)" : "(dFf + dModel)";
            var rows = new List<(string, string, long)>
            {
                ("token embedding wte", "vocabSize·dModel", TokenEmbedding),
                ("position embedding wpe", c.Positions == PositionalScheme.Learned ? "nCtx·dModel" : "0 (not learned)", PositionEmbedding),
                ("attention weights (c_attn + c_proj)",
                    mha ? "nLayer·(3·dModel² + dModel²)" : "nLayer·((nHead + 2·nKvHead)·dHead·dModel + dModel·nHead·dHead)", AttentionWeights),
                ("attention biases", !c.Bias ? "0 (no bias)" : mha ? "nLayer·(3·dModel + dModel)" : "nLayer·((nHead + 2·nKvHead)·dHead + dModel)",
                    AttentionBiases),
            };
            if (c.AttentionSinks) rows.Add(("attention sinks", "nLayer·nHead", AttentionSinks));
            if (c.IsMixtureOfExperts) rows.Add(("router", c.Bias ? "nLayer·(nExpert·dModel + nExpert)" : "nLayer·nExpert·dModel", Router));
            rows.Add((c.IsMixtureOfExperts ? "expert weights (c_fc + c_proj, every expert)" : "MLP weights (c_fc + c_proj)",
                $"nLayer·{experts}{mlpWeights}", MlpWeights));
            rows.Add((c.IsMixtureOfExperts ? "expert biases" : "MLP biases", c.Bias ? $"nLayer·{experts}{mlpBiases}" : "0 (no bias)", MlpBiases));
            rows.Add((norms, (c.HasFinalNorm ? "(2·nLayer + 1)·" : "2·nLayer·") + perNorm, Norms));
            rows.Add(("output head", c.TiedEmbeddings ? "0 (tied to wte)" : "vocabSize·dModel", OutputHead));
            return rows.Select(r => new ParameterGroup(r.Item1, r.Item2, r.Item3, (double)r.Item3 / Total)).ToArray();
        }
    }

    /// <summary>"124,439,808 parameters (gpt2)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Total:N0} parameters ({Config.Name})");
}
