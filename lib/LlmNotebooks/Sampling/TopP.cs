using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmNotebooks.Sampling;

/// <summary>
/// Top-p (nucleus) truncation, Holtzman et al. 2019, arXiv:1904.09751, §3.1: keep the smallest set V⁽ᵖ⁾ of most probable
/// tokens with Σ_{x∈V⁽ᵖ⁾} P(x) ≥ p. Reference implementation: Hugging Face transformers, TopPLogitsWarper.
/// Rule: rank finite tokens by <see cref="TokenOrder"/>; the token at rank r is kept iff (mass of ranks &lt; r) &lt; p − <see cref="Tolerance"/>,
/// or r &lt; minTokensToKeep; p = 1 keeps every finite token.
/// Masses are fixed-point integers, so <see cref="KeepSet"/> (selection) and <see cref="KeepSetBySorting"/> (full sort) agree bit for bit.
/// Why the tolerance and the fixed point, with HF's test case: docs/design.md, "Top-p at the boundary".
/// Inputs are processed logits: -∞ marks a filtered token; NaN, +∞, empty, or no finite entry throw <see cref="ArgumentException"/>.
/// </summary>
public static class TopP
{
    /// <summary>
    /// Absolute tolerance, in probability, of the "mass of the tokens ranked above reaches p" test: 1e-6
    /// (≈ 8 float32 ulps at 1; see the class remarks for why the comparison needs one).
    /// </summary>
    public const double Tolerance = 1e-6;

    /// <summary>Largest vocabulary top-p accepts: 2²⁰ = 1,048,576 tokens (fixed-point masses stay within 2⁻²³ of exact).</summary>
    public const int MaxVocabSize = 1 << 20;

    private const int BucketCount = 2048;
    private const double FirstLevelBucketsPerNat = 64; // first level covers 32 nats below the max (e^-32 ≈ 1.3e-14)
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
        var t = Threshold(logits, topP, minTokensToKeep, bySorting: false);
        for (int i = 0; i < logits.Length; i++)
            if (!TokenOrder.AtOrAbove(logits[i], i, t.Logit, t.Id))
                logits[i] = float.NegativeInfinity;
    }

    /// <summary>The integer mass the tokens ranked above a kept token must stay below: ⌈(p − Tolerance)·total⌉.</summary>
    internal static ulong Target(ulong total, double topP)
    {
        if (topP >= 1.0) return ulong.MaxValue;
        double x = (topP - Tolerance) * total;
        return x <= 0 ? 0UL : (ulong)Math.Ceiling(x);
    }

    /// <summary>
    /// 2^k with k = 63 − bitLength(vocabSize): the fixed-point unit, so that vocabSize masses ≤ 2^k sum below 2⁶³.
    /// Truncation loses &lt; 1 unit per token: in total &lt; 2^(2·bitLength − 63) of the top token's mass
    /// (2⁻³¹ ≈ 4.7e-10 for GPT-2's 50,257 tokens, 2⁻²³ ≈ 1.2e-7 at <see cref="MaxVocabSize"/>).
    /// </summary>
    internal static double FixedPointUnit(int vocabSize) => Math.ScaleB(1.0, 63 - (32 - BitOperations.LeadingZeroCount((uint)vocabSize)));

    /// <summary>The fixed-point mass of a token: ⌊e·unit⌋ with e = exp(l − max) ∈ [0, 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mass(float e, double unit) => (ulong)(e * unit);

    /// <summary>e_i = exp(l_i − max) in float, shape [vocabSize] (0 for -∞), vectorized with TensorPrimitives.</summary>
    internal static void ShiftedExp(ReadOnlySpan<float> logits, float max, Span<float> e)
    {
        TensorPrimitives.Subtract(logits, max, e);
        TensorPrimitives.Exp(e, e);
    }

    // The kept set as (logit, id) of the last kept token plus the number kept: token i is kept iff l_i is finite and
    // AtOrAbove(l_i, i, Logit, Id). Count = −1 means "every finite token" (p = 1).
    private static (float Logit, int Id, int Count) Threshold(ReadOnlySpan<float> logits, double topP, int minTokensToKeep, bool bySorting)
    {
        Guard.UnitIntervalOpenClosed(topP, nameof(topP));
        Guard.Positive(minTokensToKeep, nameof(minTokensToKeep));
        float max = LogitsChecks.Processed(logits, nameof(logits));
        if (topP == 1.0) return (float.NegativeInfinity, 0, -1);

        if (logits.Length > MaxVocabSize)
            throw new ArgumentException(
                $"logits has {logits.Length} entries; top-p supports vocabularies up to {MaxVocabSize} tokens (fixed-point mass precision).",
                nameof(logits));
        float[] eArray = ArrayPool<float>.Shared.Rent(logits.Length);
        try
        {
            Span<float> e = eArray.AsSpan(0, logits.Length);
            ShiftedExp(logits, max, e);
            double unit = FixedPointUnit(logits.Length);
            return bySorting
                ? BySorting(logits, e, unit, topP, minTokensToKeep)
                : ByBuckets(logits, e, unit, max, topP, minTokensToKeep);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(eArray);
        }
    }

    private static (float, int, int) BySorting(ReadOnlySpan<float> logits, ReadOnlySpan<float> e, double unit, double topP, int minTokensToKeep)
    {
        var keys = new List<ulong>(logits.Length);
        ulong total = 0UL;
        for (int i = 0; i < logits.Length; i++)
        {
            if (float.IsNegativeInfinity(logits[i])) continue;
            keys.Add(TokenOrder.Key(logits[i], i));
            total += Mass(e[i], unit);
        }
        keys.Sort(); // ascending: rank 0 is the last key
        return Walk(CollectionsMarshal.AsSpan(keys), e, unit, 0UL, 0, Target(total, topP), Math.Min(minTokensToKeep, keys.Count));
    }

    // Walks keys (ascending, so ranks run from the end) starting at rank countBefore with massBefore above them;
    // returns the last token satisfying the keep rule and the number of tokens kept in total.
    private static (float, int, int) Walk(ReadOnlySpan<ulong> ascendingKeys, ReadOnlySpan<float> e, double unit,
        ulong massBefore, int countBefore, ulong target, int minKeep)
    {
        ulong before = massBefore;
        int rank = countBefore;
        ulong last = 0;
        for (int r = ascendingKeys.Length - 1; r >= 0; r--, rank++)
        {
            if (!(before < target || rank < minKeep)) break;
            last = ascendingKeys[r];
            before += Mass(e[TokenOrder.Id(last)], unit);
        }
        if (rank == countBefore) throw new InvalidOperationException("Top-p boundary search lost its invariant (no kept token in the boundary range).");
        return (TokenOrder.Logit(last), TokenOrder.Id(last), rank);
    }

    // Bucketed threshold search. Tokens are spread over BucketCount buckets by (hi − l)·scale, which is monotone in the
    // logit, so every token of a lower bucket ranks above every token of a higher one. Scanning the buckets' integer
    // masses and counts finds the bucket holding the last kept rank; only that bucket is examined further
    // (re-bucketed over its own range, or sorted once it is small). The first level uses a fixed 1/64-nat grid below
    // the max (tokens more than 32 nats below share the last bucket), so it needs no pass to find the minimum.
    private static (float, int, int) ByBuckets(ReadOnlySpan<float> logits, ReadOnlySpan<float> e, double unit, float max,
        double topP, int minTokensToKeep)
    {
        ulong[] bucketMass = ArrayPool<ulong>.Shared.Rent(BucketCount);
        int[] bucketCount = ArrayPool<int>.Shared.Rent(BucketCount);
        int[]? candidates = null;
        try
        {
            Array.Clear(bucketMass, 0, BucketCount);
            Array.Clear(bucketCount, 0, BucketCount);
            double hi = max;
            for (int i = 0; i < logits.Length; i++)
            {
                float l = logits[i];
                if (float.IsNegativeInfinity(l)) continue;
                int b = Bucket(l, hi, FirstLevelBucketsPerNat);
                bucketMass[b] += Mass(e[i], unit);
                bucketCount[b]++;
            }
            ulong total = 0UL;
            int finite = 0;
            for (int b = 0; b < BucketCount; b++)
            {
                total += bucketMass[b];
                finite += bucketCount[b];
            }
            ulong target = Target(total, topP);
            int minKeep = Math.Min(minTokensToKeep, finite);
            ulong massBefore = 0UL;
            int countBefore = 0;
            int boundary = BoundaryBucket(bucketMass, bucketCount, ref massBefore, ref countBefore, target, minKeep);

            candidates = ArrayPool<int>.Shared.Rent(bucketCount[boundary]);
            int k = 0;
            float cLo = float.PositiveInfinity, cHi = float.NegativeInfinity;
            for (int i = 0; i < logits.Length; i++)
            {
                float l = logits[i];
                if (float.IsNegativeInfinity(l) || Bucket(l, hi, FirstLevelBucketsPerNat) != boundary) continue;
                candidates[k++] = i;
                if (l < cLo) cLo = l;
                if (l > cHi) cHi = l;
            }
            return Resolve(logits, e, unit, candidates.AsSpan(0, k), cLo, cHi, massBefore, countBefore, target, minKeep,
                depth: 1, bucketMass, bucketCount);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(bucketMass);
            ArrayPool<int>.Shared.Return(bucketCount);
            if (candidates is not null) ArrayPool<int>.Shared.Return(candidates);
        }
    }

    // candidates: token ids in ascending id order, all ranked below countBefore tokens of total mass massBefore,
    // and containing the last kept rank.
    private static (float, int, int) Resolve(ReadOnlySpan<float> logits, ReadOnlySpan<float> e, double unit, Span<int> candidates,
        float lo, float hi, ulong massBefore, int countBefore, ulong target, int minKeep, int depth,
        ulong[] bucketMass, int[] bucketCount)
    {
        if (lo == hi || candidates.Length <= SortCutoff || depth >= MaxDepth)
        {
            var keys = new ulong[candidates.Length];
            for (int j = 0; j < candidates.Length; j++) keys[j] = TokenOrder.Key(logits[candidates[j]], candidates[j]);
            if (lo != hi) Array.Sort(keys); // equal logits: ascending ids are already ascending keys
            return Walk(keys, e, unit, massBefore, countBefore, target, minKeep);
        }

        Array.Clear(bucketMass, 0, BucketCount);
        Array.Clear(bucketCount, 0, BucketCount);
        double top = hi;
        double scale = (BucketCount - 1) / (top - lo);
        foreach (int id in candidates)
        {
            int b = Bucket(logits[id], top, scale);
            bucketMass[b] += Mass(e[id], unit);
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
        return Resolve(logits, e, unit, candidates[..k], cLo, cHi, massBefore, countBefore, target, minKeep, depth + 1,
            bucketMass, bucketCount);
    }

    // The bucket holding the last kept rank K − 1, where K = max(K_p, minKeep) and K_p − 1 is the rank whose inclusive
    // cumulative mass first reaches target: the later of (first bucket whose cumulative mass reaches target) and
    // (first bucket whose cumulative count reaches minKeep). Advances massBefore/countBefore to that bucket's start.
    private static int BoundaryBucket(ulong[] bucketMass, int[] bucketCount, ref ulong massBefore, ref int countBefore,
        ulong target, int minKeep)
    {
        bool massReached = false, countReached = false;
        for (int b = 0; b < BucketCount; b++)
        {
            if (bucketCount[b] == 0) continue;
            ulong massAfter = massBefore + bucketMass[b];
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
        double d = (hi - logit) * scale; // ≥ 0; compared as double so a far outlier cannot overflow the int cast
        return d < BucketCount - 1 ? (int)d : BucketCount - 1;
    }

    private static int[] Collect(ReadOnlySpan<float> logits, (float Logit, int Id, int Count) threshold)
    {
        if (threshold.Count < 0)
        {
            var all = new List<int>(logits.Length);
            for (int i = 0; i < logits.Length; i++) if (!float.IsNegativeInfinity(logits[i])) all.Add(i);
            return all.ToArray();
        }
        var kept = new int[threshold.Count];
        int k = 0;
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsNegativeInfinity(logits[i]) && TokenOrder.AtOrAbove(logits[i], i, threshold.Logit, threshold.Id))
                kept[k++] = i;
        return kept;
    }
}
