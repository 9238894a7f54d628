using CsCheck;
using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.GptSeries;

public class TrainingComputeTests
{
    [Fact]
    public void Six_N_D_by_hand()
    {
        // 6 · 1e9 params · 20e9 tokens = 1.2e20 FLOPs; one petaflop/s-day = 1e15 · 86,400 = 8.64e19 FLOPs.
        Assert.Equal(1.2e20, TrainingCompute.TrainingFlops(1e9, 20e9), 1e6);
        Assert.Equal(8.64e19, 1e15 * 86_400);
        Assert.Equal(1.0, TrainingCompute.PetaflopDays(8.64e19), 1e-15);
    }

    [Fact]
    public void Chinchilla_table3_follows_about_20_tokens_per_parameter_and_6ND()
    {
        // Hoffmann et al. 2022 Table 3: D/N runs from 20.0 (400M → 8.0B) to 22.4 (67B → 1.5T).
        foreach (var row in TrainingCompute.ChinchillaTable3)
        {
            Assert.InRange(row.TokensPerParameter, 20.0, 22.5);
            // The table's FLOPs are 6ND up to the rounding of its N and D columns (worst: 67B and 1.5T, 4.7%).
            double ratio = TrainingCompute.TrainingFlops(row.Parameters, row.Tokens) / row.Flops;
            Assert.InRange(ratio, 0.95, 1.05);
        }
        Assert.Equal(9, TrainingCompute.ChinchillaTable3.Count);
    }

    [Fact]
    public void Chinchilla_itself_70B_on_1_4T_tokens()
    {
        // Hoffmann et al. 2022 Table 1: Chinchilla, 70 billion parameters, 1.4 trillion training tokens.
        Assert.Equal(1.4e12, TrainingCompute.ChinchillaOptimalTokens(70e9), 1e3);
    }

    [Fact]
    public void Gpt3_175B_saw_under_a_tenth_of_its_chinchilla_tokens()
    {
        // 20 · 174,604,259,328 = 3.49e12 tokens (Table 3's Approach 1 says 3.7T for 175B); GPT-3 saw 300e9: 8.6%.
        var b = TrainingCompute.Gpt3Budgets()[^1];
        Assert.Equal("GPT-3 175B", b.Name);
        Assert.Equal(174_604_259_328, b.Parameters);
        Assert.Equal(3.492e12, b.ChinchillaOptimalTokens, 1e9);
        Assert.Equal(0.0859, b.FractionOfChinchillaTokens, 0.00005); // rounds to 0.0859
        Assert.Equal(300e9 / 174_604_259_328, b.TokensPerParameter, 1e-12);
    }

    [Fact]
    public void Gpt3_budgets_from_table_D1_params_reproduce_its_flops()
    {
        var budgets = TrainingCompute.Gpt3Budgets(useTableD1Parameters: true);
        Assert.Equal(8, budgets.Count);
        for (int i = 0; i < budgets.Count; i++)
        {
            var printed = Gpt3Paper.TableD1[i].TotalComputeFlops;
            Assert.InRange(budgets[i].TrainingFlops / printed, 0.995, 1.005); // three significant figures
        }
        // With our exact N instead, only GPT-3 XL moves off its printed value (1,315.7M vs 1,320M: 2.37e21 vs 2.38e21).
        var exact = TrainingCompute.Gpt3Budgets();
        Assert.Equal(2.368e21, exact[3].TrainingFlops, 1e18);
    }

    [Fact]
    public void Flops_are_linear_in_N_and_D()
    {
        Gen.Select(Gen.Double[1, 1e12], Gen.Double[1, 1e13], Gen.Double[0.5, 4]).Sample((n, d, k) =>
        {
            double c = TrainingCompute.TrainingFlops(n, d);
            Assert.Equal(k * c, TrainingCompute.TrainingFlops(k * n, d), k * c * 1e-12);
            Assert.Equal(k * c, TrainingCompute.TrainingFlops(n, k * d), k * c * 1e-12);
            Assert.Equal(6 * n * d, c, c * 1e-12);
        });
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1e9)]
    public void Bad_sizes_are_rejected_by_name(double bad)
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.TrainingFlops(bad, 1e9)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.TrainingFlops(1e9, bad)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.ChinchillaOptimalTokens(bad)).ParamName);
        Assert.Equal("tokensPerParameter", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.ChinchillaOptimalTokens(1e9, bad)).ParamName);
    }

    [Fact]
    public void Negative_or_nan_flops_are_rejected()
    {
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.PetaflopDays(-1)).ParamName);
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.PetaflopDays(double.NaN)).ParamName);
        Assert.Equal(0, TrainingCompute.PetaflopDays(0));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => TrainingCompute.Budget(" ", 1e9, 1e9)).ParamName);
    }

    [Fact]
    public void Chinchilla_is_its_own_compute_optimal_allocation()
    {
        // Hoffmann et al. 2022 Table 1: Chinchilla, 70B parameters on 1.4T tokens (20 per parameter): C = 6 · 70e9 · 1.4e12 = 5.88e23.
        var a = TrainingCompute.ChinchillaOptimalAllocation(5.88e23);
        Assert.Equal(70e9, a.Parameters, 1e-3);
        Assert.Equal(1.4e12, a.Tokens, 1e-2);
        Assert.Equal((5.88e23, 20.0), (a.Flops, a.TokensPerParameter));
    }

    [Fact]
    public void Gpt3_175B_compute_would_buy_a_51B_model_on_a_trillion_tokens()
    {
        // GPT-3 Table D.1: 3.14e23 FLOPs. √(3.14e23 / 120) = 5.115e10 parameters, 20 × that = 1.023e12 tokens.
        var a = TrainingCompute.ChinchillaOptimalAllocation(Gpt3Paper.TableD1[^1].TotalComputeFlops);
        Assert.Equal(5.115e10, a.Parameters, 1e7);
        Assert.Equal(1.023e12, a.Tokens, 1e9);
        // Hoffmann et al. Table 3 (Approach 1) puts 175B parameters at 3.85e24 FLOPs, 12x GPT-3's budget.
        Assert.True(TrainingCompute.ChinchillaTable3[4].Flops / a.Flops > 12);
    }

    [Fact]
    public void Compute_optimal_allocation_spends_the_budget_at_k_tokens_per_parameter()
    {
        Gen.Select(Gen.Double[1e15, 1e30], Gen.Double[1, 100]).Sample((c, k) =>
        {
            var a = TrainingCompute.ChinchillaOptimalAllocation(c, k);
            Assert.Equal(c, TrainingCompute.TrainingFlops(a.Parameters, a.Tokens), c * 1e-12);
            Assert.Equal(k, a.Tokens / a.Parameters, k * 1e-12);
            // four times the compute → twice the parameters and twice the tokens
            Assert.Equal(2 * a.Parameters, TrainingCompute.ChinchillaOptimalAllocation(4 * c, k).Parameters, a.Parameters * 1e-12);
        });
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    public void Compute_optimal_allocation_rejects_bad_input_by_name(double bad)
    {
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.ChinchillaOptimalAllocation(bad)).ParamName);
        Assert.Equal("tokensPerParameter", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.ChinchillaOptimalAllocation(1e20, bad)).ParamName);
    }

    [Fact]
    public void Kaplan_would_have_made_gpt3_bigger_and_chinchilla_smaller()
    {
        // Kaplan et al. 2020 Table 6: N_opt = 1.3e9 · C^0.73, D_opt = 2e10 · C^0.27 (C in PF-days). GPT-3 Table D.1:
        // 3.14e23 FLOPs = 3,634.3 PF-days → N ≈ 5.165e11 (3× GPT-3's 175B: under-sized), D ≈ 1.830e11 tokens (GPT-3 saw 300B).
        // Chinchilla (D = 20N): 5.115e10 parameters on 1.023e12 tokens (GPT-3 is 3.4× too big and saw 0.29 of the tokens).
        double c = Gpt3Paper.TableD1[^1].TotalComputeFlops;
        var kaplan = TrainingCompute.KaplanOptimalAllocation(c);
        Assert.Equal(5.1647e11, kaplan.Parameters, 5e7);
        Assert.Equal(1.8295e11, kaplan.Tokens, 5e7);
        Assert.Equal(kaplan.Tokens / kaplan.Parameters, kaplan.TokensPerParameter, 1e-12);
        Assert.True(kaplan.Parameters > 175e9 && kaplan.Tokens < Gpt3Paper.TrainingTokens);
        var chinchilla = TrainingCompute.ChinchillaOptimalAllocation(c);
        Assert.True(chinchilla.Parameters < 175e9 && chinchilla.Tokens > Gpt3Paper.TrainingTokens);
        // The two Kaplan fits are separate: 6·N·D overshoots C by 6 · 1.3e9 · 2e10 / 8.64e19 = 1.806, for every C.
        Assert.Equal(1.8056, TrainingCompute.TrainingFlops(kaplan.Parameters, kaplan.Tokens) / c, 1e-4);
        // Exponents: 10× the compute → 10^0.73 = 5.37× the parameters (Kaplan, Fig. 14's "5x"), √10 = 3.16× (Chinchilla).
        Assert.Equal(Math.Pow(10, 0.73), TrainingCompute.KaplanOptimalAllocation(10 * c).Parameters / kaplan.Parameters, 1e-9);
        Assert.Equal(Math.Sqrt(10), TrainingCompute.ChinchillaOptimalAllocation(10 * c).Parameters / chinchilla.Parameters, 1e-9);
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCompute.KaplanOptimalAllocation(double.NaN)).ParamName);
        Assert.Equal(5.88e23, TrainingCompute.Chinchilla.TrainingFlops, 1e18);
    }
}
