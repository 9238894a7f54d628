using LlmNotebooks.Gpt;

namespace LlmNotebooks.GptSeries;

/// <summary>One row of GPT-3 paper Table 2.1 ("Sizes, architectures, and learning hyper-parameters"), exactly as printed.</summary>
/// <param name="ModelName">As printed, e.g. "GPT-3 Small", "GPT-3 175B or “GPT-3”".</param>
/// <param name="NParamsText">nparams as printed: "125M" … "175.0B".</param>
/// <param name="NParams">nparams as a number (125e6 … 175e9); a nominal size, see <see cref="Gpt3Paper"/>.</param>
/// <param name="NLayer">nlayers.</param>
/// <param name="DModel">dmodel as printed (5140 for GPT-3 13B, which is not 40·128).</param>
/// <param name="NHead">nheads as printed.</param>
/// <param name="DHead">dhead as printed.</param>
/// <param name="BatchSizeText">Batch size in tokens as printed: "0.5M", "1M", "2M", "3.2M".</param>
/// <param name="BatchSizeTokens">Batch size in tokens as a number (0.5e6 …).</param>
/// <param name="LearningRate">Learning rate as printed (6.0e-4 … 0.6e-4).</param>
public sealed record Gpt3Table21Row(
    string ModelName, string NParamsText, double NParams, int NLayer, int DModel, int NHead, int DHead,
    string BatchSizeText, double BatchSizeTokens, double LearningRate)
{
    /// <summary>Whether nheads·dhead = dmodel in the printed row (false for GPT-3 XL and GPT-3 13B).</summary>
    public bool HeadsTimesDHeadEqualsDModel => NHead * DHead == DModel;
}

/// <summary>
/// One GPT-3 row of the paper's Table D.1 ("total compute used to train language models"), exactly as printed.
/// Its caption: flops = 6 · params · tokens (2 forward flops per active parameter per token × 3 for forward + backward),
/// one petaflop/s-day = 8.64e19 flops; attention is ignored.
/// </summary>
/// <param name="Model">As printed, e.g. "GPT-3 175B".</param>
/// <param name="TotalComputePetaflopDays">Total train compute (PF-days), 3 significant figures.</param>
/// <param name="TotalComputeFlops">Total train compute (flops), 3 significant figures.</param>
/// <param name="ParamsMillions">Params (M): the N the table multiplies, e.g. 174,600 for GPT-3 175B.</param>
/// <param name="TrainingTokensBillions">Training tokens (billions): 300 for every GPT-3 size.</param>
/// <param name="FlopsPerParamPerToken">Flops per param per token: 6.</param>
/// <param name="MultForBackwardPass">Mult for bwd pass: 3.</param>
/// <param name="ForwardFlopsPerActiveParamPerToken">Fwd-pass flops per active param per token: 2.</param>
/// <param name="FractionOfParamsActive">Frac of params active for each token: 1.0 (dense).</param>
public sealed record Gpt3TableD1Row(
    string Model, double TotalComputePetaflopDays, double TotalComputeFlops, double ParamsMillions, double TrainingTokensBillions,
    int FlopsPerParamPerToken, int MultForBackwardPass, int ForwardFlopsPerActiveParamPerToken, double FractionOfParamsActive)
{
    /// <summary>
    /// Half a unit of the last nonzero digit of <see cref="ParamsMillions"/>, in millions of parameters: how far the N
    /// behind a printed value may lie from it (125 → 0.5, 760 → 5, 1,320 → 5, 174,600 → 50). Trailing zeros are read as
    /// not significant, since the column is rounded to three or four significant figures.
    /// </summary>
    public double ParamsHalfUnitMillions
    {
        get
        {
            double unit = 1;
            while (ParamsMillions % (unit * 10) == 0) unit *= 10;
            return unit / 2;
        }
    }

    /// <summary>
    /// Whether an exact parameter count agrees with <see cref="ParamsMillions"/> to its printed digits:
    /// |parameters / 1e6 − ParamsMillions| ≤ <see cref="ParamsHalfUnitMillions"/>.
    /// </summary>
    /// <param name="parameters">Exact parameter count, ≥ 1.</param>
    /// <returns>True when <paramref name="parameters"/> rounds to the printed value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> is &lt; 1.</exception>
    public bool ParamsAgreeWith(long parameters)
    {
        if (parameters < 1)
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters must be ≥ 1; got {parameters}.");
        return Math.Abs(parameters / 1e6 - ParamsMillions) <= ParamsHalfUnitMillions;
    }
}

/// <summary>One row of GPT-3 paper Table 2.2 ("Datasets used to train GPT-3"), exactly as printed.</summary>
/// <param name="Dataset">"Common Crawl (filtered)", "WebText2", "Books1", "Books2", "Wikipedia".</param>
/// <param name="QuantityTokens">Quantity (tokens): 410e9, 19e9, 12e9, 55e9, 3e9.</param>
/// <param name="WeightInTrainingMix">Fraction of training examples drawn from this dataset (0.60 …); the printed weights add up to 1.01.</param>
/// <param name="EpochsElapsedFor300BTokens">"Epochs elapsed when training for 300B tokens" as printed.</param>
public sealed record Gpt3DatasetRow(string Dataset, double QuantityTokens, double WeightInTrainingMix, double EpochsElapsedFor300BTokens)
{
    /// <summary>
    /// Epochs implied by the other two columns: weight · trainingTokens / quantity. Rounds to the printed epochs only for
    /// Common Crawl (0.439 → 0.44); Books2 gives 0.436 (printed 0.43), Books1 2.0 (1.9), WebText2 3.47 (2.9) and
    /// Wikipedia 3.0 (3.4). The paper does not say how its column was computed.
    /// </summary>
    /// <param name="trainingTokens">Total training tokens, &gt; 0; the paper's 300e9 by default.</param>
    /// <returns>Passes over this dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingTokens"/> is not a finite number &gt; 0.</exception>
    public double ImpliedEpochs(double trainingTokens = Gpt3Paper.TrainingTokens) =>
        WeightInTrainingMix * Guard.PositiveFinite(trainingTokens) / QuantityTokens;

    /// <summary>Half a unit of the printed weight: the weights are printed as whole percents (60%, 22%, …), so the true weight is within ±0.005.</summary>
    public const double WeightHalfUnit = 0.005;

    /// <summary>Half a unit of the printed quantity: the quantities are printed in whole billions of tokens, so the true one is within ±0.5e9.</summary>
    public const double QuantityHalfUnit = 0.5e9;

    /// <summary>
    /// The epochs the printed weight and quantity allow once their rounding is taken into account:
    /// [(w − 0.005) · trainingTokens / (q + 0.5e9), (w + 0.005) · trainingTokens / (q − 0.5e9)].
    /// WebText2: 3.31 – 3.65, so its printed 2.9 cannot come from the printed weight 22% (3.47 unrounded).
    /// </summary>
    /// <param name="trainingTokens">Total training tokens, &gt; 0; the paper's 300e9 by default.</param>
    /// <returns>The lowest and highest epochs consistent with the printed weight and quantity.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingTokens"/> is not a finite number &gt; 0.</exception>
    public (double Low, double High) ImpliedEpochsRange(double trainingTokens = Gpt3Paper.TrainingTokens)
    {
        Guard.PositiveFinite(trainingTokens);
        return ((WeightInTrainingMix - WeightHalfUnit) * trainingTokens / (QuantityTokens + QuantityHalfUnit),
                (WeightInTrainingMix + WeightHalfUnit) * trainingTokens / (QuantityTokens - QuantityHalfUnit));
    }

    /// <summary>
    /// Whether the printed epochs (two significant figures: ± half a unit of the second digit, e.g. 2.9 → 2.85 – 2.95)
    /// overlap <see cref="ImpliedEpochsRange"/> for 300B training tokens. True for every row of Table 2.2 except WebText2.
    /// </summary>
    public bool PrintedEpochsConsistentWithWeight
    {
        get
        {
            double e = EpochsElapsedFor300BTokens;
            double half = 0.5 * Math.Pow(10, Math.Floor(Math.Log10(e)) - 1);
            var (low, high) = ImpliedEpochsRange();
            return e + half >= low && e - half <= high;
        }
    }
}

/// <summary>One of the eight GPT-3 sizes: the printed Table 2.1 and D.1 rows, and the config we count parameters from.</summary>
/// <param name="Table21">The Table 2.1 row as printed.</param>
/// <param name="TableD1">The Table D.1 row as printed.</param>
/// <param name="Config">The config used for counting: Table 2.1's nlayers and dmodel, nCtx 2048, vocabulary 50,257, GPT-2 layout.</param>
/// <param name="ConfigNote">Where <paramref name="Config"/> departs from the printed row and why; empty when it does not.</param>
public sealed record Gpt3ModelSize(Gpt3Table21Row Table21, Gpt3TableD1Row TableD1, GptConfig Config, string ConfigNote)
{
    /// <summary>Exact parameter count of <see cref="Config"/>.</summary>
    public GptParameterCount ParameterCount => Config.CountParameters();

    /// <summary>
    /// Whether the exact count of <see cref="Config"/> agrees with Table D.1's Params column to its printed digits
    /// (<see cref="Gpt3TableD1Row.ParamsAgreeWith"/>); true for all eight sizes.
    /// </summary>
    public bool ParameterCountAgreesWithTableD1 => TableD1.ParamsAgreeWith(ParameterCount.Total);
}

/// <summary>
/// GPT-3 as data: Brown et al. 2020, "Language Models are Few-Shot Learners", arXiv:2005.14165 (v4), Tables 2.1, 2.2 and D.1.
/// </summary>
/// <remarks>
/// §2.1: "We use the same model and architecture as GPT-2 […] with the exception that we use alternating dense and
/// locally banded sparse attention patterns" (a mask: no extra parameters), dff = 4·dmodel, nctx = 2048 for all models.
/// The vocabulary is GPT-2's (same "reversible tokenization"), 50,257. The Table 2.1 nparams column is a nominal size:
/// the exact counts of these configs are 125.2M, 355.9M, 760.3M, 1.316B, 2.652B, 6.658B, 12.85B and 174.6B, which
/// agree with the Params column of Table D.1 (125, 356, 760, 1,320, 2,650, 6,660, 12,850, 174,600 M) to its printed
/// digits, and differ from Table 2.1 by at most 1.8% (GPT-3 2.7B; GPT-3 Medium's printed "350M" is 355.9M).
/// Two rows of Table 2.1 violate nheads·dhead = dmodel: XL (24·128 = 3072 ≠ 2048) and 13B (40·128 = 5120 ≠ 5140);
/// see <see cref="Gpt3ModelSize.ConfigNote"/>.
/// </remarks>
public static class Gpt3Paper
{
    /// <summary>arXiv identifier of the GPT-3 paper.</summary>
    public const string ArxivId = "2005.14165";

    /// <summary>Context length of every GPT-3 size (§2.1: "All models use a context window of nctx = 2048 tokens").</summary>
    public const int NCtx = 2048;

    /// <summary>Vocabulary size: GPT-2's byte-level BPE, 50,257 (§2.1 "reversible tokenization" of GPT-2; GPT-2 §2.3).</summary>
    public const int VocabSize = 50257;

    /// <summary>Training tokens of every GPT-3 size: 300e9 (Table 2.1 caption: "All models were trained for a total of 300 billion tokens").</summary>
    public const double TrainingTokens = 300e9;

    /// <summary>Table 2.1, all eight rows as printed.</summary>
    public static IReadOnlyList<Gpt3Table21Row> Table21 { get; } =
    [
        new("GPT-3 Small", "125M", 125e6, 12, 768, 12, 64, "0.5M", 0.5e6, 6.0e-4),
        new("GPT-3 Medium", "350M", 350e6, 24, 1024, 16, 64, "0.5M", 0.5e6, 3.0e-4),
        new("GPT-3 Large", "760M", 760e6, 24, 1536, 16, 96, "0.5M", 0.5e6, 2.5e-4),
        new("GPT-3 XL", "1.3B", 1.3e9, 24, 2048, 24, 128, "1M", 1e6, 2.0e-4),
        new("GPT-3 2.7B", "2.7B", 2.7e9, 32, 2560, 32, 80, "1M", 1e6, 1.6e-4),
        new("GPT-3 6.7B", "6.7B", 6.7e9, 32, 4096, 32, 128, "2M", 2e6, 1.2e-4),
        new("GPT-3 13B", "13.0B", 13.0e9, 40, 5140, 40, 128, "2M", 2e6, 1.0e-4),
        new("GPT-3 175B or “GPT-3”", "175.0B", 175.0e9, 96, 12288, 96, 128, "3.2M", 3.2e6, 0.6e-4),
    ];

    /// <summary>Table D.1, the eight GPT-3 rows as printed (the table also lists T5, BERT and RoBERTa).</summary>
    public static IReadOnlyList<Gpt3TableD1Row> TableD1 { get; } =
    [
        new("GPT-3 Small", 2.60e0, 2.25e20, 125, 300, 6, 3, 2, 1.0),
        new("GPT-3 Medium", 7.42e0, 6.41e20, 356, 300, 6, 3, 2, 1.0),
        new("GPT-3 Large", 1.58e1, 1.37e21, 760, 300, 6, 3, 2, 1.0),
        new("GPT-3 XL", 2.75e1, 2.38e21, 1_320, 300, 6, 3, 2, 1.0),
        new("GPT-3 2.7B", 5.52e1, 4.77e21, 2_650, 300, 6, 3, 2, 1.0),
        new("GPT-3 6.7B", 1.39e2, 1.20e22, 6_660, 300, 6, 3, 2, 1.0),
        new("GPT-3 13B", 2.68e2, 2.31e22, 12_850, 300, 6, 3, 2, 1.0),
        new("GPT-3 175B", 3.64e3, 3.14e23, 174_600, 300, 6, 3, 2, 1.0),
    ];

    /// <summary>Table 2.2, the training mix, as printed.</summary>
    public static IReadOnlyList<Gpt3DatasetRow> Table22 { get; } =
    [
        new("Common Crawl (filtered)", 410e9, 0.60, 0.44),
        new("WebText2", 19e9, 0.22, 2.9),
        new("Books1", 12e9, 0.08, 1.9),
        new("Books2", 55e9, 0.08, 0.43),
        new("Wikipedia", 3e9, 0.03, 3.4),
    ];

    /// <summary>The eight sizes, each with its Table 2.1 and D.1 rows and the config we count (see remarks on the class).</summary>
    public static IReadOnlyList<Gpt3ModelSize> Models { get; } = BuildModels();

    private static Gpt3ModelSize[] BuildModels()
    {
        var models = new Gpt3ModelSize[Table21.Count];
        for (int i = 0; i < models.Length; i++)
        {
            var row = Table21[i];
            int dModel = row.DModel, nHead = row.NHead;
            string note = "";
            if (row.ModelName == "GPT-3 XL")
            {
                nHead = dModel / row.DHead;
                note = "Table 2.1 prints nheads 24 and dhead 128, but 24·128 = 3072 ≠ dmodel 2048. We keep dmodel 2048 " +
                       "(Table D.1's 1,320M matches it; a 3072-wide attention would give 1.52B) and split it as 16 heads of 128 " +
                       "(our assumption). Parameter count, 6ND and the multi-head KV cache do not depend on the split.";
            }
            else if (row.ModelName == "GPT-3 13B")
            {
                dModel = row.NHead * row.DHead;
                note = "Table 2.1 prints dmodel 5140, which 40 heads cannot split (5140 / 40 = 128.5). We use 40·128 = 5120: " +
                       "it gives 12,853M parameters, matching Table D.1's 12,850M; 5140 would give 12,953M.";
            }
            string name = row.ModelName.StartsWith("GPT-3 175B", StringComparison.Ordinal) ? "GPT-3 175B" : row.ModelName;
            var config = new GptConfig
            {
                Name = name, NLayer = row.NLayer, DModel = dModel, NHead = nHead, NCtx = NCtx, VocabSize = VocabSize, Placement = NormPlacement.PreLN,
                Source = $"Brown et al. 2020, arXiv:{ArxivId}, Table 2.1 (nlayers {row.NLayer}, dmodel {row.DModel}, nheads {row.NHead}, dhead {row.DHead}) and §2.1 (nctx 2048, GPT-2 architecture, dff = 4·dmodel)",
            }.Validate();
            models[i] = new Gpt3ModelSize(row, TableD1[i], config, note);
        }
        return models;
    }
}
