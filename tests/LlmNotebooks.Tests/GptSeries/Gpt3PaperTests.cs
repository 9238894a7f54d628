using LlmNotebooks.Gpt;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.GptSeries;

/// <summary>Brown et al. 2020, "Language Models are Few-Shot Learners", arXiv:2005.14165 v4: Tables 2.1, 2.2 and D.1.</summary>
public class Gpt3PaperTests
{
    /// <summary>Half a unit of the last significant digit of a printed integer, trailing zeros not significant (760 → 5, 174,600 → 50).</summary>
    private static double HalfUnitOfLastDigit(double printed)
    {
        double unit = 1;
        while (printed % (unit * 10) == 0) unit *= 10;
        return unit / 2;
    }

    [Fact]
    public void Exact_counts_reproduce_table_D1_params_to_its_printed_digits()
    {
        // Table D.1 Params (M): 125, 356, 760, 1,320, 2,650, 6,660, 12,850, 174,600.
        // Ours: 125.23, 355.87, 760.30, 1,315.72, 2,651.55, 6,658.40, 12,853.39, 174,604.26.
        foreach (var m in Gpt3Paper.Models)
        {
            double oursMillions = m.ParameterCount.Total / 1e6;
            double printed = m.TableD1.ParamsMillions;
            Assert.True(Math.Abs(oursMillions - printed) <= HalfUnitOfLastDigit(printed),
                $"{m.Config.Name}: {oursMillions:N2}M vs Table D.1 {printed:N0}M (±{HalfUnitOfLastDigit(printed)})");
        }
    }

    [Fact]
    public void Table_D1_half_units_read_trailing_zeros_as_not_significant()
    {
        // Table D.1 Params (M): 125, 356, 760, 1,320, 2,650, 6,660, 12,850, 174,600.
        Assert.Equal([0.5, 0.5, 5, 5, 5, 5, 5, 50], Gpt3Paper.TableD1.Select(r => r.ParamsHalfUnitMillions));
    }

    [Fact]
    public void Library_agreement_with_table_D1_matches_the_hand_check_and_rejects_the_printed_13B_width()
    {
        Assert.All(Gpt3Paper.Models, m => Assert.True(m.ParameterCountAgreesWithTableD1, m.Config.Name));
        // GPT-3 13B with Table 2.1's printed dmodel 5140 has 12,953M parameters: 103M off Table D.1's 12,850M.
        var m13 = Gpt3Paper.Models.Single(m => m.Config.Name == "GPT-3 13B");
        var printedWidth = new GptConfig { Name = "13B, dmodel 5140", NLayer = 40, DModel = 5140, NHead = 20, NCtx = 2048, VocabSize = 50257 };
        Assert.False(m13.TableD1.ParamsAgreeWith(printedWidth.CountParameters().Total));
        // Edges: 174,600M ± 50M agrees, one parameter beyond does not.
        var d1 = Gpt3Paper.TableD1[^1];
        Assert.True(d1.ParamsAgreeWith(174_650_000_000));
        Assert.True(d1.ParamsAgreeWith(174_550_000_000));
        Assert.False(d1.ParamsAgreeWith(174_650_000_001));
        Assert.False(d1.ParamsAgreeWith(174_549_999_999));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => d1.ParamsAgreeWith(0));
        Assert.Equal("parameters", e.ParamName);
    }

    [Fact]
    public void Gpt3_175B_exact_count_by_hand()
    {
        // Per layer 12d² + 13d (attention 4d² + 4d, MLP 8d² + 5d, two LayerNorms 4d), plus (V + n)·d embeddings and ln_f 2d:
        // 96·(12·12288² + 13·12288) + (50257 + 2048)·12288 + 2·12288 = 173,961,510,912 + 642,723,840 + 24,576.
        var m = Gpt3Paper.Models[^1];
        Assert.Equal("GPT-3 175B", m.Config.Name);
        Assert.Equal(174_604_259_328, m.ParameterCount.Total);
        Assert.Equal(175.0, Math.Round(m.ParameterCount.Total / 1e9), 0); // "175B" at three significant figures
    }

    // Table 2.1 of arXiv:2005.14165, transcribed a second time, row by row, so a typo in either copy fails:
    // model name, nparams as printed, nlayers, dmodel, nheads, dhead, batch size as printed, learning rate.
    public static TheoryData<int, string, string, int, int, int, int, string, double> Table21AsPrinted => new()
    {
        { 0, "GPT-3 Small", "125M", 12, 768, 12, 64, "0.5M", 6.0e-4 },
        { 1, "GPT-3 Medium", "350M", 24, 1024, 16, 64, "0.5M", 3.0e-4 },
        { 2, "GPT-3 Large", "760M", 24, 1536, 16, 96, "0.5M", 2.5e-4 },
        { 3, "GPT-3 XL", "1.3B", 24, 2048, 24, 128, "1M", 2.0e-4 },
        { 4, "GPT-3 2.7B", "2.7B", 32, 2560, 32, 80, "1M", 1.6e-4 },
        { 5, "GPT-3 6.7B", "6.7B", 32, 4096, 32, 128, "2M", 1.2e-4 },
        { 6, "GPT-3 13B", "13.0B", 40, 5140, 40, 128, "2M", 1.0e-4 },
        { 7, "GPT-3 175B or “GPT-3”", "175.0B", 96, 12288, 96, 128, "3.2M", 0.6e-4 },
    };

    [Theory]
    [MemberData(nameof(Table21AsPrinted))]
    public void Table_2_1_rows_match_the_paper(int row, string name, string nParams, int nLayer, int dModel, int nHead, int dHead,
        string batch, double lr)
    {
        Assert.Equal(8, Gpt3Paper.Table21.Count);
        var r = Gpt3Paper.Table21[row];
        Assert.Equal((name, nParams, nLayer, dModel, nHead, dHead, batch),
            (r.ModelName, r.NParamsText, r.NLayer, r.DModel, r.NHead, r.DHead, r.BatchSizeText));
        Assert.Equal(lr, r.LearningRate, lr * 1e-12);
        // the numeric columns agree with their printed text
        double scale = nParams.EndsWith('B') ? 1e9 : 1e6;
        Assert.Equal(double.Parse(nParams[..^1], System.Globalization.CultureInfo.InvariantCulture) * scale, r.NParams, 1e-3);
        Assert.Equal(double.Parse(batch[..^1], System.Globalization.CultureInfo.InvariantCulture) * 1e6, r.BatchSizeTokens, 1e-3);
    }

    [Fact]
    public void Exact_counts_are_within_two_percent_of_the_nominal_table_2_1_sizes()
    {
        // Table 2.1's nparams are nominal: the largest gap is GPT-3 2.7B (2.652B, −1.8%); Medium's "350M" is 355.9M (+1.7%).
        foreach (var m in Gpt3Paper.Models)
        {
            double ratio = m.ParameterCount.Total / m.Table21.NParams;
            Assert.InRange(ratio, 0.98, 1.02);
        }
        Assert.Equal(355_871_744, Gpt3Paper.Models[1].ParameterCount.Total);
    }

    [Fact]
    public void Two_table_2_1_rows_violate_heads_times_dhead_and_are_resolved_as_documented()
    {
        var broken = Gpt3Paper.Table21.Where(r => !r.HeadsTimesDHeadEqualsDModel).Select(r => r.ModelName);
        Assert.Equal(["GPT-3 XL", "GPT-3 13B"], broken);

        var xl = Gpt3Paper.Models[3];
        Assert.Equal((24, 2048, 24, 128), (xl.Table21.NLayer, xl.Table21.DModel, xl.Table21.NHead, xl.Table21.DHead));
        Assert.Equal((2048, 16, 128), (xl.Config.DModel, xl.Config.NHead, xl.Config.DHead));
        Assert.Contains("16 heads of 128", xl.ConfigNote);

        var b13 = Gpt3Paper.Models[6];
        Assert.Equal(5140, b13.Table21.DModel);
        Assert.Equal(5120, b13.Config.DModel);
        Assert.Equal(12_853_386_240, b13.ParameterCount.Total);
        // the printed 5140 cannot even be built: 40 heads do not divide it
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GptConfig { Name = "13B as printed", NLayer = 40, DModel = 5140, NHead = 40, NCtx = 2048, VocabSize = 50257 }.Validate());
        Assert.Equal("NHead", e.ParamName);
        // and its width, split any way (the count does not depend on heads), gives 12.95B, 100M off Table D.1's 12,850M:
        // 40·(12·5140² + 13·5140) + (50257 + 2048)·5140 + 2·5140 = 12,952,938,780.
        long asPrinted = new GptConfig { Name = "13B, dmodel 5140", NLayer = 40, DModel = 5140, NHead = 1, NCtx = 2048, VocabSize = 50257 }.CountParameters().Total;
        Assert.Equal(12_952_938_780, asPrinted);
        Assert.True(Math.Abs(asPrinted / 1e6 - 12_850) > 100);

        Assert.All(Gpt3Paper.Models.Where(m => m != xl && m != b13), m => Assert.Equal("", m.ConfigNote));
    }

    [Fact]
    public void Every_config_uses_nctx_2048_vocab_50257_and_gpt2_layout()
    {
        Assert.Equal(8, Gpt3Paper.Models.Count);
        Assert.All(Gpt3Paper.Models, m =>
        {
            Assert.Equal(2048, m.Config.NCtx);
            Assert.Equal(50257, m.Config.VocabSize);
            Assert.Equal(4 * m.Config.DModel, m.Config.DFf);
            Assert.Equal(NormPlacement.PreLN, m.Config.Placement);
            Assert.True(m.Config.FinalNorm);
            Assert.Equal(m.Table21.NLayer, m.Config.NLayer);
            Assert.Equal(m.Table21.ModelName[..m.TableD1.Model.Length], m.TableD1.Model);
        });
    }

    [Fact]
    public void Table_D1_flops_are_6_params_tokens_and_pf_days_divide_by_8_64e19()
    {
        foreach (var row in Gpt3Paper.TableD1)
        {
            double flops = TrainingCompute.TrainingFlops(row.ParamsMillions * 1e6, row.TrainingTokensBillions * 1e9);
            Assert.Equal(row.TotalComputeFlops, RoundToSignificant(flops, 3));
            Assert.Equal(row.TotalComputePetaflopDays, RoundToSignificant(TrainingCompute.PetaflopDays(flops), 3));
            Assert.Equal(row.FlopsPerParamPerToken, row.ForwardFlopsPerActiveParamPerToken * row.MultForBackwardPass * row.FractionOfParamsActive);
        }
    }

    [Fact]
    public void Gpt3_175B_training_compute_is_3_14e23_flops()
    {
        // Table D.1: 3.14E+23 flops, 3.64E+03 PF-days, from 6 · 174,600M · 300B = 3.1428e23.
        double fromTable = TrainingCompute.TrainingFlops(174_600e6, 300e9);
        Assert.Equal(3.1428e23, fromTable, 1e19);
        double fromExactCount = TrainingCompute.TrainingFlops(Gpt3Paper.Models[^1].ParameterCount.Total, Gpt3Paper.TrainingTokens);
        Assert.Equal(3.14e23, RoundToSignificant(fromExactCount, 3));
        Assert.Equal(3.64e3, RoundToSignificant(TrainingCompute.PetaflopDays(fromExactCount), 3));
    }

    [Fact]
    public void Training_mix_table_2_2()
    {
        var mix = Gpt3Paper.Table22;
        Assert.Equal(["Common Crawl (filtered)", "WebText2", "Books1", "Books2", "Wikipedia"], mix.Select(r => r.Dataset));
        Assert.Equal(499e9, mix.Sum(r => r.QuantityTokens));        // 410 + 19 + 12 + 55 + 3 billion
        Assert.Equal(1.01, mix.Sum(r => r.WeightInTrainingMix), 1e-12); // printed weights are rounded
        // weight · 300B / quantity: CC 0.439 (printed 0.44), WebText2 3.47 (2.9), Books1 2.0 (1.9), Books2 0.436 (0.43), Wikipedia 3.0 (3.4)
        double[] implied = mix.Select(r => r.ImpliedEpochs()).ToArray();
        Assert.Equal([0.439, 3.474, 2.0, 0.436, 3.0], implied.Select(x => Math.Round(x, 3)));
        Assert.Equal([0.44, 2.9, 1.9, 0.43, 3.4], mix.Select(r => r.EpochsElapsedFor300BTokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => mix[0].ImpliedEpochs(double.NaN));
    }

    [Fact]
    public void Only_webtext2_epochs_contradict_its_weight_after_rounding()
    {
        // Weights printed as whole percents (±0.005), quantities in whole billions (±0.5e9), epochs to two significant figures.
        // WebText2: 0.215 · 300 / 19.5 = 3.308 … 0.225 · 300 / 18.5 = 3.649, printed 2.9 (2.85 – 2.95): contradiction.
        // Books1: 0.075 · 300 / 12.5 = 1.8 … 0.085 · 300 / 11.5 = 2.217 contains 1.9; Wikipedia: 0.025 · 300 / 3.5 = 2.143 … 0.035 · 300 / 2.5 = 4.2 contains 3.4.
        var mix = Gpt3Paper.Table22;
        var (low, high) = mix[1].ImpliedEpochsRange();
        Assert.Equal(0.215 * 300 / 19.5, low, 1e-12);
        Assert.Equal(0.225 * 300 / 18.5, high, 1e-12);
        var books1 = mix[2].ImpliedEpochsRange();
        Assert.Equal(1.8, books1.Low, 1e-12);
        Assert.Equal(0.085 * 300 / 11.5, books1.High, 1e-12);
        Assert.Equal([true, false, true, true, true], mix.Select(r => r.PrintedEpochsConsistentWithWeight));
        Assert.Throws<ArgumentOutOfRangeException>(() => mix[0].ImpliedEpochsRange(0));
        // A row whose printed epochs sit just outside the range is flagged; just inside is not.
        var row = new Gpt3DatasetRow("x", 10e9, 0.10, 3.0);  // range 0.095·300/10.5 = 2.714 … 0.105·300/9.5 = 3.316
        Assert.True(row.PrintedEpochsConsistentWithWeight);
        Assert.False((row with { EpochsElapsedFor300BTokens = 3.4 }).PrintedEpochsConsistentWithWeight);  // 3.35 > 3.316
        Assert.True((row with { EpochsElapsedFor300BTokens = 2.7 }).PrintedEpochsConsistentWithWeight);   // 2.75 ≥ 2.714
        Assert.False((row with { EpochsElapsedFor300BTokens = 2.6 }).PrintedEpochsConsistentWithWeight);  // 2.65 < 2.714
    }

    private static double RoundToSignificant(double x, int digits)
    {
        double scale = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(x))) - digits + 1);
        return double.Parse((Math.Round(x / scale) * scale).ToString("G" + digits, System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
