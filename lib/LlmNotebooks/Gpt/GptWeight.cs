namespace LlmNotebooks.Gpt;

/// <summary>One tensor of a <see cref="GptModel"/>, read-only, by its GPT-2 / nanoGPT name.</summary>
public sealed class GptWeight
{
    internal GptWeight(string name, int[] shape, float[] values)
    {
        Name = name;
        _shape = shape;
        Array = values;
    }

    private readonly int[] _shape;

    /// <summary>GPT-2 / nanoGPT name, e.g. "h.0.mlp.c_fc.weight".</summary>
    public string Name { get; }

    /// <summary>Shape, outermost first: [out, in] for linear weights (nn.Linear layout), [n] for biases and LayerNorm parameters.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of elements.</summary>
    public int Length => Array.Length;

    /// <summary>The values, row-major.</summary>
    public ReadOnlySpan<float> Values => Array;

    internal float[] Array { get; }

    /// <summary>A copy as a matrix for display: [rows, cols] for 2-D weights, [1, n] for 1-D ones.</summary>
    public float[,] ToMatrix()
    {
        int rows = _shape.Length == 2 ? _shape[0] : 1;
        int cols = _shape.Length == 2 ? _shape[1] : Array.Length;
        var m = new float[rows, cols];
        Buffer.BlockCopy(Array, 0, m, 0, Array.Length * sizeof(float));
        return m;
    }

    /// <summary>"h.0.mlp.c_fc.weight [512, 128]".</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}]";
}
