namespace LlmNotebooks.GptSeries;

/// <summary>One row of Hoffmann et al. 2022 (Chinchilla, arXiv:2203.15556) Table 3, Approach 1, as printed.</summary>
/// <param name="Parameters">Model size N ("400 Million" … "10 Trillion").</param>
/// <param name="Flops">Compute-optimal training FLOPs for that size.</param>
/// <param name="Tokens">Compute-optimal training tokens D ("8.0 Billion" … "216.2 Trillion").</param>
public sealed record ChinchillaTable3Row(double Parameters, double Flops, double Tokens)
{
    /// <summary>D / N: between 20.0 and 22.4 across the table, the source of the "≈ 20 tokens per parameter" rule of thumb.</summary>
    public double TokensPerParameter => Tokens / Parameters;
}

/// <summary>A model's training budget next to the Chinchilla-optimal token count for its size.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Parameters">N, parameters.</param>
/// <param name="TrainingTokens">D, tokens the model was trained on.</param>
/// <param name="TrainingFlops">6·N·D, FLOPs.</param>
/// <param name="PetaflopDays">TrainingFlops / 8.64e19, petaflop/s-days.</param>
/// <param name="ChinchillaOptimalTokens">20·N, tokens.</param>
/// <param name="TokensPerParameter">D / N.</param>
public sealed record ComputeBudget(
    string Name, double Parameters, double TrainingTokens, double TrainingFlops, double PetaflopDays,
    double ChinchillaOptimalTokens, double TokensPerParameter)
{
    /// <summary>D / (20·N): below 1 means fewer tokens than Chinchilla-optimal for this size (GPT-3 175B: 0.086).</summary>
    public double FractionOfChinchillaTokens => TrainingTokens / ChinchillaOptimalTokens;
}

/// <summary>The compute-optimal split of a FLOP budget C = 6·N·D under D = k·N: N = √(C / 6k), D = k·N.</summary>
/// <param name="Flops">C, the training budget in FLOPs.</param>
/// <param name="TokensPerParameter">k, tokens per parameter (20 for the Chinchilla rule of thumb).</param>
/// <param name="Parameters">N = √(C / (6·k)), parameters.</param>
/// <param name="Tokens">D = k·N, training tokens.</param>
public sealed record ComputeOptimalAllocation(double Flops, double TokensPerParameter, double Parameters, double Tokens);

/// <summary>
/// Training compute C ≈ 6·N·D and the Chinchilla rule D_opt ≈ 20·N.
/// </summary>
/// <remarks>
/// 6·N·D: a forward pass costs ≈ 2 FLOPs (one multiply, one add) per parameter per token, the backward pass twice that
/// (Kaplan et al. 2020, arXiv:2001.08361 §2.1, "C ≈ 6N floating point operators per training token", attention's
/// context-dependent term dropped; GPT-3 Table D.1 uses the same 2 × 3 = 6 with the total parameter count).
/// GPT-3 175B: 6 · 174,600e6 · 300e9 = 3.1428e23 FLOPs = 3,638 petaflop/s-days (printed 3.14E+23 and 3.64E+03).
/// Chinchilla: Hoffmann et al. 2022, arXiv:2203.15556 — parameters and tokens should grow equally with compute;
/// Table 3 puts D/N between 20.0 and 22.4; Chinchilla itself is 70B parameters on 1.4T tokens (Table 1), 20 per parameter.
/// </remarks>
public static class TrainingCompute
{
    /// <summary>FLOPs in one petaflop/s-day: 1e15 FLOP/s · 86,400 s = 8.64e19 (GPT-3 Table D.1 caption).</summary>
    public const double FlopsPerPetaflopDay = 8.64e19;

    /// <summary>FLOPs per parameter per training token: 2 (forward) · 3 (forward + backward) = 6.</summary>
    public const double FlopsPerParameterPerToken = 6;

    /// <summary>Chinchilla rule of thumb: compute-optimal tokens ≈ 20 per parameter (Hoffmann et al. 2022, Tables 1 and 3).</summary>
    public const double ChinchillaTokensPerParameter = 20;

    /// <summary>Training compute C = 6·N·D, in FLOPs.</summary>
    /// <param name="parameters">N, parameters, finite and &gt; 0.</param>
    /// <param name="tokens">D, training tokens, finite and &gt; 0.</param>
    /// <returns>FLOPs.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not a finite number &gt; 0.</exception>
    public static double TrainingFlops(double parameters, double tokens) =>
        FlopsPerParameterPerToken * Guard.PositiveFinite(parameters) * Guard.PositiveFinite(tokens);

    /// <summary>Converts FLOPs to petaflop/s-days: flops / 8.64e19.</summary>
    /// <param name="flops">FLOPs, finite and ≥ 0.</param>
    /// <returns>Petaflop/s-days.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flops"/> is negative, NaN or infinite.</exception>
    public static double PetaflopDays(double flops)
    {
        Guard.Finite(flops);
        if (flops < 0) throw new ArgumentOutOfRangeException(nameof(flops), flops, $"flops must be ≥ 0; got {flops}.");
        return flops / FlopsPerPetaflopDay;
    }

    /// <summary>Chinchilla-optimal training tokens for a model of N parameters: tokensPerParameter · N.</summary>
    /// <param name="parameters">N, finite and &gt; 0.</param>
    /// <param name="tokensPerParameter">Tokens per parameter, finite and &gt; 0; 20 by default.</param>
    /// <returns>Tokens.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not a finite number &gt; 0.</exception>
    public static double ChinchillaOptimalTokens(double parameters, double tokensPerParameter = ChinchillaTokensPerParameter) =>
        Guard.PositiveFinite(parameters) * Guard.PositiveFinite(tokensPerParameter);

    /// <summary>
    /// Splits a FLOP budget the Chinchilla way: with C = 6·N·D and D = k·N, C = 6k·N², so N = √(C / 6k) and D = k·N.
    /// Chinchilla (Hoffmann et al. 2022 Table 1: 70B parameters, 1.4T tokens, C = 5.88e23) is its own fixed point at k = 20;
    /// GPT-3 175B's 3.14e23 FLOPs (Table D.1) would buy ≈ 51B parameters on ≈ 1.0T tokens.
    /// </summary>
    /// <param name="flops">C, FLOPs, finite and &gt; 0.</param>
    /// <param name="tokensPerParameter">k, finite and &gt; 0; 20 by default.</param>
    /// <returns>N and D for that budget.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not a finite number &gt; 0.</exception>
    public static ComputeOptimalAllocation ChinchillaOptimalAllocation(double flops, double tokensPerParameter = ChinchillaTokensPerParameter)
    {
        Guard.PositiveFinite(flops);
        Guard.PositiveFinite(tokensPerParameter);
        double n = Math.Sqrt(flops / (FlopsPerParameterPerToken * tokensPerParameter));
        return new ComputeOptimalAllocation(flops, tokensPerParameter, n, tokensPerParameter * n);
    }

    /// <summary>Kaplan et al. 2020 Table 6: N_opt = N_e · C_min^p_N with N_e = 1.3e9 parameters (non-embedding), p_N = 0.73.</summary>
    public const double KaplanNe = 1.3e9;

    /// <summary>Kaplan et al. 2020 Table 6: exponent p_N = 0.73 of the compute-efficient model size.</summary>
    public const double KaplanPn = 0.73;

    /// <summary>Kaplan et al. 2020 Table 6: D_opt = D_e · C_min^p_D (1 epoch) with D_e = 2e10 tokens.</summary>
    public const double KaplanDe = 2e10;

    /// <summary>Kaplan et al. 2020 Table 6: exponent p_D = 0.27 of the compute-efficient data size.</summary>
    public const double KaplanPd = 0.27;

    /// <summary>
    /// Splits a FLOP budget the way Kaplan et al. 2020 prescribe (arXiv:2001.08361 Table 6, C_min in PF-days):
    /// N = 1.3e9 · C^0.73 (non-embedding) parameters on D = 2e10 · C^0.27 tokens, so the model grows much faster than
    /// the data (§1.2: "N ∝ C_min^0.73"). The two fits are separate: 6·N·D is not C (1.8·C at GPT-3's budget).
    /// GPT-3 175B's 3.14e23 FLOPs = 3,640 PF-days give N ≈ 5.2e11 and D ≈ 1.8e11.
    /// </summary>
    /// <param name="flops">C, FLOPs, finite and &gt; 0.</param>
    /// <returns>N and D for that budget (TokensPerParameter = D / N).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flops"/> is not a finite number &gt; 0.</exception>
    public static ComputeOptimalAllocation KaplanOptimalAllocation(double flops)
    {
        double pfDays = Guard.PositiveFinite(flops) / FlopsPerPetaflopDay;
        double n = KaplanNe * Math.Pow(pfDays, KaplanPn), d = KaplanDe * Math.Pow(pfDays, KaplanPd);
        return new ComputeOptimalAllocation(flops, d / n, n, d);
    }

    /// <summary>Chinchilla itself (Hoffmann et al. 2022 §4, Table 1): 70B parameters on 1.4T tokens, the compute of Gopher 280B.</summary>
    public static ComputeBudget Chinchilla { get; } = Budget("Chinchilla", 70e9, 1.4e12);

    /// <summary>A model's 6ND budget next to its Chinchilla-optimal token count.</summary>
    /// <param name="name">Model name, not empty.</param>
    /// <param name="parameters">N, finite and &gt; 0.</param>
    /// <param name="trainingTokens">D, finite and &gt; 0.</param>
    /// <returns>The budget row.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is not finite and &gt; 0.</exception>
    public static ComputeBudget Budget(string name, double parameters, double trainingTokens)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must not be null or empty.", nameof(name));
        double flops = TrainingFlops(parameters, trainingTokens);
        return new ComputeBudget(name, parameters, trainingTokens, flops, PetaflopDays(flops),
            ChinchillaOptimalTokens(parameters), trainingTokens / parameters);
    }

    /// <summary>
    /// Budgets of the eight GPT-3 sizes, each trained on 300B tokens. N is our exact count of the size's config
    /// (<see cref="Gpt3ModelSize.ParameterCount"/>), or the Params column of Table D.1 when <paramref name="useTableD1Parameters"/> is true.
    /// </summary>
    /// <param name="useTableD1Parameters">true: N from Table D.1 (reproduces its printed FLOPs); false: our exact count.</param>
    /// <returns>Eight rows, smallest first.</returns>
    public static IReadOnlyList<ComputeBudget> Gpt3Budgets(bool useTableD1Parameters = false) =>
        Gpt3Paper.Models.Select(m => Budget(
            m.Config.Name,
            useTableD1Parameters ? m.TableD1.ParamsMillions * 1e6 : m.ParameterCount.Total,
            Gpt3Paper.TrainingTokens)).ToArray();

    /// <summary>Hoffmann et al. 2022 Table 3 (Approach 1 projections), all nine rows as printed.</summary>
    public static IReadOnlyList<ChinchillaTable3Row> ChinchillaTable3 { get; } =
    [
        new(400e6, 1.92e19, 8.0e9),
        new(1e9, 1.21e20, 20.2e9),
        new(10e9, 1.23e22, 205.1e9),
        new(67e9, 5.76e23, 1.5e12),
        new(175e9, 3.85e24, 3.7e12),
        new(280e9, 9.90e24, 5.9e12),
        new(520e9, 3.43e25, 11.0e12),
        new(1e12, 1.27e26, 21.2e12),
        new(10e12, 1.30e28, 216.2e12),
    ];
}
