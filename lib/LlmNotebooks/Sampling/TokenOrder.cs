namespace LlmNotebooks.Sampling;

/// <summary>
/// The one total order on tokens used by top-p, min-p's minTokensToKeep and the kept-set views: larger logit first;
/// among equal logits, larger token id first (Hugging Face's rule with a stable sort; docs/design.md, "Top-p at the boundary").
/// </summary>
internal static class TokenOrder
{
    /// <summary>
    /// A 64-bit key whose unsigned order is the token order: high 32 bits = the logit mapped monotonically to uint
    /// (-0 treated as +0), low 32 bits = the token id. Keys of distinct tokens differ.
    /// </summary>
    public static ulong Key(float logit, int id) => ((ulong)OrderedBits(logit) << 32) | (uint)id;

    /// <summary>The logit of a key (inverse of <see cref="OrderedBits"/>).</summary>
    public static float Logit(ulong key)
    {
        uint u = (uint)(key >> 32);
        uint bits = (u & 0x8000_0000u) != 0 ? u & 0x7FFF_FFFFu : ~u;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    /// <summary>The token id of a key.</summary>
    public static int Id(ulong key) => (int)(uint)key;

    /// <summary>Monotone map float → uint: a &lt; b ⇔ OrderedBits(a) &lt; OrderedBits(b) for non-NaN a, b; -0 ↦ +0.</summary>
    public static uint OrderedBits(float x)
    {
        if (x == 0f) x = 0f; // -0 and +0 are the same logit
        uint b = BitConverter.SingleToUInt32Bits(x);
        return (b & 0x8000_0000u) != 0 ? ~b : b | 0x8000_0000u;
    }

    /// <summary>True when token (logit, id) ranks at or above token (thresholdLogit, thresholdId).</summary>
    public static bool AtOrAbove(float logit, int id, float thresholdLogit, int thresholdId) =>
        logit > thresholdLogit || (logit == thresholdLogit && id >= thresholdId);
}
