using LlmNotebooks.PositionalEncoding;

namespace LlmNotebooks.Gpt;

// The checkpoint as the forward pass reads it, fields named as the GPT-2 tensors (nanoGPT's GPT.transformer).
// Built from tensors already checked against the config (Checkpoint.Validate).
internal sealed class GptWeights
{
    public readonly float[] wte;             // [vocabSize, dModel]
    public readonly float[]? wpe;            // [nCtx, dModel]: the learned table, or the fixed sinusoidal one (not a tensor)
    public readonly RotaryEmbedding? rope;   // cos/sin tables for q and k (not a tensor)
    public readonly Block[] h;               // h.0 … h.(nLayer−1)
    public readonly NormLayer? ln_f;         // Pre-LN's final norm
    public readonly LinearLayer lm_head;     // [vocabSize, dModel]: wte when tied

    public sealed record Block(NormLayer? ln_1, Attention attn, NormLayer? ln_2, Mlp mlp);

    public sealed record Attention(LinearLayer c_attn, LinearLayer c_proj);

    public sealed record Mlp(LinearLayer c_fc, LinearLayer c_proj);

    public GptWeights(GptConfig c, IReadOnlyDictionary<string, GptWeight> tensors)
    {
        float[] T(string name) => tensors[name].Array;
        float[]? Optional(string name) => tensors.TryGetValue(name, out var t) ? t.Array : null;
        LinearLayer Linear(string name, int outFeatures, int inFeatures) =>
            new(name, T(name + ".weight"), Optional(name + ".bias"), outFeatures, inFeatures);
        NormLayer? Norm(string name) => c.Norm == NormKind.None ? null
            : new(name, c.Norm, (float)c.NormEpsilon, T(name + ".weight"), Optional(name + ".bias"),
                  Optional(name + ".running_mean"), Optional(name + ".running_var"));

        int d = c.DModel;
        wte = T("wte.weight");
        wpe = c.Positions switch
        {
            PositionalScheme.Learned => T("wpe.weight"),
            PositionalScheme.Sinusoidal => Flatten(SinusoidalPositionalEncoding.Table(c.NCtx, d)),
            _ => null,
        };
        if (c.Positions == PositionalScheme.Rope) rope = new RotaryEmbedding(c.DHead, c.NCtx);
        h = new Block[c.NLayer];
        for (int i = 0; i < c.NLayer; i++)
        {
            string p = $"h.{i}.";
            h[i] = new Block(
                Norm(p + "ln_1"),
                new Attention(Linear(p + "attn.c_attn", 3 * d, d), Linear(p + "attn.c_proj", d, d)),
                Norm(p + "ln_2"),
                new Mlp(Linear(p + "mlp.c_fc", c.DFf, d), Linear(p + "mlp.c_proj", d, c.DFf)));
        }
        if (c.HasFinalNorm) ln_f = Norm("ln_f");
        lm_head = new LinearLayer("lm_head", c.TiedEmbeddings ? wte : T("lm_head.weight"), null, c.VocabSize, d);
    }

    /// <summary>The linear layer called <paramref name="module"/> ("h.0.attn.c_attn", …, "lm_head").</summary>
    public LinearLayer? Linear(string module)
    {
        if (module == "lm_head") return lm_head;
        foreach (var block in h)
            foreach (var layer in new[] { block.attn.c_attn, block.attn.c_proj, block.mlp.c_fc, block.mlp.c_proj })
                if (layer.Name == module) return layer;
        return null;
    }

    private static float[] Flatten(float[,] m)
    {
        var flat = new float[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return flat;
    }
}
