using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace LlmNotebooks.Notebooks;

/// <summary>What happened to one cell.</summary>
/// <param name="Number">1-based position of the cell in the notebook, counting markdown cells too.</param>
/// <param name="KernelName">"csharp", "markdown", …</param>
/// <param name="Status">Outcome.</param>
/// <param name="Seconds">Wall time of the execution; 0 for cells that did not run.</param>
/// <param name="Error">The error message for a failed or timed-out cell, else null.</param>
public sealed record CellRun(int Number, string KernelName, CellStatus Status, double Seconds, string? Error)
{
    /// <summary>The first line of <see cref="Error"/>, or null.</summary>
    public string? FirstErrorLine => Error?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
}

/// <summary>Outcome of a cell.</summary>
public enum CellStatus
{
    /// <summary>Not code (markdown, raw).</summary>
    NotCode,
    /// <summary>Ran without error.</summary>
    Succeeded,
    /// <summary>Raised an error (compile or runtime).</summary>
    Failed,
    /// <summary>Ran longer than the per-cell limit and was abandoned.</summary>
    TimedOut,
    /// <summary>Not run because an earlier cell timed out.</summary>
    Skipped,
}

/// <summary>An executed notebook: the document with outputs, and what happened per cell.</summary>
public sealed class NotebookRun
{
    internal NotebookRun(string path, InteractiveDocument document, IReadOnlyList<CellRun> cells, double seconds)
    {
        Path = path;
        Document = document;
        Cells = cells;
        Seconds = seconds;
    }

    /// <summary>Full path of the source notebook.</summary>
    public string Path { get; }

    /// <summary>File name without extension, e.g. "01-positional-encoding".</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The notebook with outputs and execution counts filled in.</summary>
    public InteractiveDocument Document { get; }

    /// <summary>One entry per cell, in order.</summary>
    public IReadOnlyList<CellRun> Cells { get; }

    /// <summary>Wall time of the whole notebook, seconds (kernel start included).</summary>
    public double Seconds { get; }

    /// <summary>True when no cell failed, timed out or was skipped.</summary>
    public bool Succeeded => Cells.All(c => c.Status is CellStatus.NotCode or CellStatus.Succeeded);

    /// <summary>The first cell that did not succeed, or null.</summary>
    public CellRun? FirstFailure => Cells.FirstOrDefault(c => c.Status is CellStatus.Failed or CellStatus.TimedOut or CellStatus.Skipped);

    /// <summary>The executed notebook as .ipynb JSON (nbformat 4).</summary>
    public string ToJupyterJson() => Notebook.ToJupyterJson(Document);
}
