using System.Numerics;

namespace LlmNotebooks.Sampling;

/// <summary>Partial selection (Hoare's quickselect with a three-way partition, introselect fallback to sorting).</summary>
internal static class Selection
{
    /// <summary>
    /// Returns the k-th largest element of <paramref name="items"/> (k = 1 is the maximum), reordering the span.
    /// Expected O(n); after 2·log2(n) + 8 partition rounds the remaining range is sorted, so the worst case is O(n log n).
    /// </summary>
    /// <remarks>Caller guarantees 1 ≤ k ≤ items.Length and no NaN.</remarks>
    public static T KthLargest<T>(Span<T> items, int k) where T : struct, IComparisonOperators<T, T, bool>
    {
        int target = k - 1; // position in descending order
        int lo = 0, hi = items.Length - 1;
        int budget = 2 * BitOperations.Log2((uint)items.Length) + 8;
        while (lo < hi)
        {
            if (budget-- == 0)
            {
                Span<T> rest = items.Slice(lo, hi - lo + 1);
                rest.Sort();
                rest.Reverse();
                return items[target];
            }
            T pivot = MedianOfThree(items[lo], items[lo + (hi - lo) / 2], items[hi]);
            // Dijkstra's three-way partition, descending: [lo, lt) > pivot, [lt, gt] == pivot, (gt, hi] < pivot.
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                T x = items[i];
                if (x > pivot) { items[i] = items[lt]; items[lt] = x; lt++; i++; }
                else if (x < pivot) { items[i] = items[gt]; items[gt] = x; gt--; }
                else i++;
            }
            if (target < lt) hi = lt - 1;
            else if (target > gt) lo = gt + 1;
            else return pivot;
        }
        return items[target];
    }

    private static T MedianOfThree<T>(T a, T b, T c) where T : struct, IComparisonOperators<T, T, bool>
    {
        if (a > b) (a, b) = (b, a);
        if (b > c) b = c;
        return a > b ? a : b;
    }
}
