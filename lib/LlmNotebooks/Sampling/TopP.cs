using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Top-p (nucleus) truncation, Holtzman et al. 2019, "The Curious Case of Neural Text Degeneration",
/// arXiv:1904.09751, §3.1: keep the smallest set V⁽ᵖ⁾ of most probable tokens with Σ_{x∈V⁽ᵖ⁾} P(x) ≥ p.
/// Reference implementation: Hugging Face transformers, generation/logits_process.py, TopPLogitsWarper.
/// <para>The rule, exactly. Rank the tokens with finite logits by logit, descending, ties by token id, descending
/// (HF sorts ascending and cuts the low end, so with a stable sort the lower id of a tie goes first; torch.sort's
/// default is not stable for ≥ 100 elements (torch 1.13, CPU), so on a real vocabulary HF's pick among ties is
/// unspecified and ours is the stable one). The token at rank r is kept iff (mass of ranks &lt; r) &lt; p − <see cref="Tolerance"/>,
/// or r &lt; minTokensToKeep. So the token that crosses p is kept, and tokens after it are dropped.
/// p = 1 keeps every finite token (HF's generate() does not run the warper at top_p = 1.0).</para>
/// <para>Boundary comparison. Float32 logits fix the probabilities only to about |l|·6e-8 relative (one float32 ulp of
/// the logit), so "the mass reaches p" is decided with a tolerance: a prefix whose mass is within 1e-6 of p has reached
/// p. Example (HF's test_top_p_dist_warper): P = [0.3, 0.1, 0.1, 0.5], p = 0.8. The prefix {0.5, 0.3} has mass 0.8 = p,
/// so both 0.1 tokens are dropped. An exact comparison would hang on rounding: on the decimal values HF's rule (remove
/// while the ascending cumulative sum ≤ 1 − p) compares 0.1 + 0.1 = 0.2000000000000000111 with
/// 1 − 0.8 = 0.19999999999999996 and keeps a 0.1 token; on the test's float32 logits the exact mass of {0.5, 0.3} is
/// 0.8 + 4.2e-9, so the outcome is the sign of the rounding error of log 0.3 in float32; HF's float32 code passes because
/// 1 − 0.8 rounds up to 0.2000000030 and its cumulative sum down to 0.1999999881. With the tolerance the answer is the
/// same whichever way those roundings go. Cost: when the mass above a token falls short of p by less than 1e-6, that
/// token is dropped where HF's exact rule keeps it (measured: 3 of 3,000 random cases, each one token).</para>
/// <para>Exact masses. Token masses are exp(l_i − max) in double, stored as fixed-point integers
/// ⌊exp(l_i − max)·2⁶³⌋ and summed in 128-bit integers. Integer sums do not depend on the order of summation, so
/// <see cref="KeepSet"/> (selection, no full sort) and <see cref="KeepSetBySorting"/> (full sort) take the same decision
/// for every token, bit for bit. The truncation costs at most 2⁻⁶³ per token, far below the tolerance.</para>
/// <para>Inputs are processed logits: -∞ marks a token filtered earlier (never kept); NaN, +∞, an empty vector or a
/// vector with no finite entry throw <see cref="ArgumentException"/>.</para>
/// </summary>
public static class TopP
{
    /// <summary>
    /// Absolute tolerance, in probability, of the "mass of the tokens ranked above reaches p" test: 1e-6
    /// (≈ 8 float32 ulps at 1; see the class remarks for why the comparison needs one).
    /// </summary>
    public const double Tolerance = 1e-6;

    private const double FixedPointOne = 9223372036854775808.0; // 2^63
    private const int BucketCount = 2048;
    private const int SortCutoff = 128;
    private const int MaxDepth = 4;

    /// <summary>
    /// The nucleus: token ids kept by top-p, ascending, found without sorting the vocabulary
    /// (bucketed threshold search; expected O(vocabSize), at most O(vocabSize·log vocabSize)).
    /// Returns exactly the same set as <see cref="KeepSetBySorting"/>.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ marks an already filtered token.</param>
    /// <param name="topP">p in (0, 1].</param>
    /// <param name="minTokensToKeep">At least this many of the top-ranked finite tokens are kept (≥ 1), as in HF.</param>
    /// <returns>Kept token ids in ascending order; never empty.</returns>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topP"/> ∉ (0, 1] or <paramref name="minTokensToKeep"/> &lt; 1.</exception>
    public static int[] KeepSet(ReadOnlySpan<float> logits, double topP, int minTokensToKeep = 1) =>
        Collect(logits, Threshold(logits, topP, minTokensToKeep, bySorting: false));

    /// <summary>
    /// The nucleus computed the plain way: sort every finite token by (logit, id) descending, walk the cumulative mass,
    /// cut after the token that crosses p. O(vocabSize·log vocabSize). The obviously-correct reference for
    /// <see cref="KeepSet"/>.
    /// </summary>
    /// <param name="logits">Logits, shape [vocabSize]; -∞ marks an already filtered token.</param>
    /// <param name="topP">p in (0, 1].</param>
    /// <param name="minTokensToKeep">At least this many of the top-ranked finite tokens are kept (≥ 1), as in HF.</param>
    /// <returns>Kept token ids in ascending order; never empty.</returns>
    /// <exception cref="ArgumentException">Bad logits (see the class remarks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topP"/> ∉ (0, 1] or <paramref name="minTokensToKeep"/> &lt; 1.</exception>
    public static int[] KeepSetBySorting(ReadOnlySpan<float> logits, double topP, int minTokensToKeep = 1) =>
        Collect(logits, Threshold(logits, topP, minTokensToKeep, bySorting: true));

    /// <summary>Sets the logits of tokens outside the nucleus to -∞ (the fast path). Validates before writing.</summary>
    internal static void Apply(Span<float> logits, double topP, int minTokensToKeep)
    {
        var (tl, tid) = Threshold(logits, topP, minTokensToKeep, bySorting: false);
        for (int i = 0; i < logits.Length; i++)
            if (!TokenOrder.AtOrAbove(logits[i], i, tl, tid))
                logits[i] = float.NegativeInfinity;
    }

    /// <summary>The integer mass the tokens ranked above a kept token must stay below: ⌈(p − Tolerance)·total⌉.</summary>
    internal static UInt128 Target(UInt128 total, double topP)
    {
        if (topP >= 1.0) return UInt128.MaxValue;
        double x = (topP - Tolerance) * (double)total;
        return x <= 0 ? UInt128.Zero : (UInt128)Math.Ceiling(x);
    }

    /// <summary>mass_i = ⌊exp(l_i − max)·2⁶³⌋ (0 for -∞), shape [vocabSize]; exp in double via TensorPrimitives.</summary>
    internal static void FixedPointMasses(ReadOnlySpan<float> logits, float max, Span<ulong> mass)
    {
        Span<double> e = MemoryMarshal.Cast<ulong, double>(mass);
        TensorPrimitives.ConvertChecked<float, double>(logits, e);
        TensorPrimitives.Subtract(e, (double)max, e);
        TensorPrimitives.Exp(e, e);
        for (int i = 0; i < e.Length; i++) mass[i] = (ulong)(e[i] * FixedPointOne);
    }

    // The last kept token (logit, id): token i is kept iff AtOrAbove(l_i, i, logit, id) and l_i is finite.
    private static (float Logit, int Id) Threshold(ReadOnlySpan<float> logits, double topP, int minTokensToKeep, bool bySorting)
    {
        Guard.UnitIntervalOpenClosed(topP, nameof(topP));
        Guard.Positive(minTokensToKeep, nameof(minTokensToKeep));
        float max = LogitsChecks.Processed(logits, nameof(logits));
        if (topP == 1.0) return (float.NegativeInfinity, 0);

        int n = logits.Length;
        ulong[] massArray = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            Span<ulong> mass = massArray.AsSpan(0, n);
            FixedPointMasses(logits, max, mass);
            UInt128 total = UInt128.Zero;
            int finite = 0;
            float min = float.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                float l = logits[i];
                if (float.IsNegativeInfinity(l)) continue;
                total += mass[i];
                finite++;
                if (l < min) min = l;
            }
            UInt128 target = Target(total, topP);
            int minKeep = Math.Min(minTokensToKeep, finite);
            return bySorting
                ? BySorting(logits, mass, finite, target, minKeep)
                : ByBuckets(logits, mass, max, min, target, minKeep);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(massArray);
        }
    }

    private static (float, int) BySorting(ReadOnlySpan<float> logits, ReadOnlySpan<ulong> mass, int finite, UInt128 target, int minKeep)
    {
        var keys = new ulong[finite];
        int k = 0;
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsNegativeInfinity(logits[i])) keys[k++] = TokenOrder.Key(logits[i], i);
        Array.Sort(keys); // ascending: rank 0 is keys[^1]
        return Walk(keys, mass, UInt128.Zero, 0, target, minKeep);
    }

    // Walks keys (ascending, so ranks run from the end) starting at rank countBefore with massBefore above them;
    // returns the last token satisfying the keep rule.
    private static (float, int) Walk(ReadOnlySpan<ulong> ascendingKeys, ReadOnlySpan<ulong> mass,
        UInt128 massBefore, int countBefore, UInt128 target, int minKeep)
    {
        UInt128 before = massBefore;
        int rank = countBefore;
        ulong last = 0;
        bool any = false;
        for (int r = ascendingKeys.Length - 1; r >= 0; r--, rank++)
        {
            if (!(before < target || rank < minKeep)) break;
            last = ascendingKeys[r];
            any = true;
            before += mass[TokenOrder.Id(last)];
        }
        if (!any) throw new InvalidOperationException("Top-p boundary search lost its invariant (no kept token in the boundary range).");
        return (TokenOrder.Logit(last), TokenOrder.Id(last));
    }

    // Bucketed threshold search. Tokens are spread over BucketCount buckets by (hi − l)·scale, which is monotone in the
    // logit, so every token of a lower bucket ranks above every token of a higher one. Scanning the buckets' integer
    // masses and counts finds the bucket holding the last kept rank; only that bucket is examined further
    // (re-bucketed over its own range, or sorted once it is small).
    private static (float, int) ByBuckets(ReadOnlySpan<float> logits, ReadOnlySpan<ulong> mass, float max, float min,
        UInt128 target, int minKeep)
    {
        UInt128[] bucketMass = ArrayPool<UInt128>.Shared.Rent(BucketCount);
        int[] bucketCount = ArrayPool<int>.Shared.Rent(BucketCount);
        int[]? candidates = null;
        try
        {
            Array.Clear(bucketMass, 0, BucketCount);
            Array.Clear(bucketCount, 0, BucketCount);
            double hi = max;
            double scale = max > min ? (BucketCount - 1) / (hi - min) : 0.0;
            for (int i = 0; i < logits.Length; i++)
            {
                float l = logits[i];
                if (float.IsNegativeInfinity(l)) continue;
                int b = Bucket(l, hi, scale);
                bucketMass[b] += mass[i];
                bucketCount[b]++;
            }
            UInt128 massBefore = UInt128.Zero;
            int countBefore = 0;
            int boundary = BoundaryBucket(bucketMass, bucketCount, ref massBefore, ref countBefore, target, minKeep);

            candidates = ArrayPool<int>.Shared.Rent(bucketCount[boundary]);
            int k = 0;
            float cLo = float.PositiveInfinity, cHi = float.NegativeInfinity;
            for (int i = 0; i < logits.Length; i++)
            {
                float l = logits[i];
                if (float.IsNegativeInfinity(l) || Bucket(l, hi, scale) != boundary) continue;
                candidates[k++] = i;
                if (l < cLo) cLo = l;
                if (l > cHi) cHi = l;
            }
            return Resolve(logits, mass, candidates.AsSpan(0, k), cLo, cHi, massBefore, countBefore, target, minKeep,
                depth: 1, bucketMass, bucketCount);
        }
        finally
        {
            ArrayPool<UInt128>.Shared.Return(bucketMass);
            ArrayPool<int>.Shared.Return(bucketCount);
            if (candidates is not null) ArrayPool<int>.Shared.Return(candidates);
        }
    }

    // candidates: token ids in ascending id order, all ranked below countBefore tokens of total mass massBefore,
    // and containing the last kept rank.
    private static (float, int) Resolve(ReadOnlySpan<float> logits, ReadOnlySpan<ulong> mass, Span<int> candidates,
        float lo, float hi, UInt128 massBefore, int countBefore, UInt128 target, int minKeep, int depth,
        UInt128[] bucketMass, int[] bucketCount)
    {
        if (lo == hi || candidates.Length <= SortCutoff || depth >= MaxDepth)
        {
            var keys = new ulong[candidates.Length];
            for (int j = 0; j < candidates.Length; j++) keys[j] = TokenOrder.Key(logits[candidates[j]], candidates[j]);
            if (lo != hi) Array.Sort(keys); // equal logits: ascending ids are already ascending keys
            return Walk(keys, mass, massBefore, countBefore, target, minKeep);
        }

        Array.Clear(bucketMass, 0, BucketCount);
        Array.Clear(bucketCount, 0, BucketCount);
        double top = hi;
        double scale = (BucketCount - 1) / (top - lo);
        foreach (int id in candidates)
        {
            int b = Bucket(logits[id], top, scale);
            bucketMass[b] += mass[id];
            bucketCount[b]++;
        }
        int boundary = BoundaryBucket(bucketMass, bucketCount, ref massBefore, ref countBefore, target, minKeep);

        int k = 0;
        float cLo = float.PositiveInfinity, cHi = float.NegativeInfinity;
        for (int j = 0; j < candidates.Length; j++)
        {
            int id = candidates[j];
            float l = logits[id];
            if (Bucket(l, top, scale) != boundary) continue;
            candidates[k++] = id; // in-place compaction keeps ascending id order
            if (l < cLo) cLo = l;
            if (l > cHi) cHi = l;
        }
        return Resolve(logits, mass, candidates[..k], cLo, cHi, massBefore, countBefore, target, minKeep, depth + 1,
            bucketMass, bucketCount);
    }

    // The bucket holding the last kept rank K − 1, where K = max(K_p, minKeep) and K_p − 1 is the rank whose inclusive
    // cumulative mass first reaches target: the later of (first bucket whose cumulative mass reaches target) and
    // (first bucket whose cumulative count reaches minKeep). Advances massBefore/countBefore to that bucket's start.
    private static int BoundaryBucket(UInt128[] bucketMass, int[] bucketCount, ref UInt128 massBefore, ref int countBefore,
        UInt128 target, int minKeep)
    {
        bool massReached = false, countReached = false;
        for (int b = 0; b < BucketCount; b++)
        {
            if (bucketCount[b] == 0) continue;
            UInt128 massAfter = massBefore + bucketMass[b];
            int countAfter = countBefore + bucketCount[b];
            massReached |= massAfter >= target;
            countReached |= countAfter >= minKeep;
            if (massReached && countReached) return b;
            massBefore = massAfter;
            countBefore = countAfter;
        }
        throw new InvalidOperationException("Top-p boundary search lost its invariant (no boundary bucket).");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(float logit, double hi, double scale)
    {
        int b = (int)((hi - logit) * scale);
        return b < BucketCount - 1 ? b : BucketCount - 1;
    }

    private static int[] Collect(ReadOnlySpan<float> logits, (float Logit, int Id) threshold)
    {
        var kept = new List<int>();
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsNegativeInfinity(logits[i]) && TokenOrder.AtOrAbove(logits[i], i, threshold.Logit, threshold.Id))
                kept.Add(i);
        return kept.ToArray();
    }
}
