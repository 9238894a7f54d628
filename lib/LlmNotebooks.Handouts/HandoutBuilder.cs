using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmNotebooks.IO;
using LlmNotebooks.Notebooks;

namespace LlmNotebooks.Handouts;

/// <summary>One notebook's line in the summary.</summary>
/// <param name="Notebook">File name without extension.</param>
/// <param name="CodeCells">Number of code cells.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Succeeded">Whether every cell ran without error (and the handout was written).</param>
/// <param name="Detail">"4.84 MB" (10⁶ bytes) for a written handout, else the failing cell and its first error line.</param>
public sealed record HandoutResult(string Notebook, int CodeCells, double Seconds, bool Succeeded, string Detail);

/// <summary>
/// Runs notebooks and writes their handouts plus index.html. Writes are atomic (temporary file, then rename), and a
/// notebook with a failing cell writes no handout, so a good handout from an earlier run is never replaced by a broken one.
/// </summary>
public sealed class HandoutBuilder(NotebookRunner runner, HandoutRenderer renderer, TextWriter log)
{
    /// <summary>Builds the handouts for the notebooks in <paramref name="notebooksFolder"/> whose names contain <paramref name="filter"/>.</summary>
    /// <param name="notebooksFolder">Folder with the .ipynb files and questions.json.</param>
    /// <param name="outputFolder">Where the .html files go; created if missing.</param>
    /// <param name="filter">Substring of notebook names to build, or null for all.</param>
    /// <param name="executedFolder">If set, the executed notebooks (.ipynb with outputs) are written there too.</param>
    /// <param name="cancellationToken">Stops between cells.</param>
    /// <exception cref="DirectoryNotFoundException">The notebooks folder does not exist.</exception>
    /// <exception cref="ArgumentException">No notebook matches the filter.</exception>
    public async Task<IReadOnlyList<HandoutResult>> BuildAsync(string notebooksFolder, string outputFolder, string? filter = null,
        string? executedFolder = null, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(notebooksFolder)) throw new DirectoryNotFoundException($"Notebooks folder not found: {Path.GetFullPath(notebooksFolder)}");
        var catalog = QuestionCatalog.Load(notebooksFolder);
        var notebooks = Directory.GetFiles(notebooksFolder, "*.ipynb").Order(StringComparer.Ordinal)
            .Where(p => filter is null || Path.GetFileNameWithoutExtension(p).Contains(filter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (notebooks.Count == 0)
            throw new ArgumentException($"No notebook in {Path.GetFullPath(notebooksFolder)} matches \"{filter}\".", nameof(filter));
        Directory.CreateDirectory(outputFolder);
        if (executedFolder is not null) Directory.CreateDirectory(executedFolder);

        var results = new List<HandoutResult>();
        for (int n = 0; n < notebooks.Count; n++)
        {
            var name = Path.GetFileNameWithoutExtension(notebooks[n]);
            log.Write($"[{n + 1}/{notebooks.Count}] {name} ");
            log.Flush();
            var watch = Stopwatch.StartNew();
            NotebookRun run;
            try
            {
                run = await runner.RunAsync(notebooks[n], cell =>
                {
                    if (cell.Status == CellStatus.NotCode) return;
                    log.Write(cell.Status == CellStatus.Succeeded ? "." : "F");
                    log.Flush();
                }, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                log.WriteLine($" unreadable: {e.Message}");
                results.Add(new HandoutResult(name, 0, watch.Elapsed.TotalSeconds, false, e.Message));
                continue;
            }

            int codeCells = run.Cells.Count(c => c.Status != CellStatus.NotCode);
            if (executedFolder is not null) WriteAtomically(Path.Combine(executedFolder, name + ".ipynb"), run.ToJupyterJson());
            if (run.FirstFailure is { } failure)
            {
                var detail = $"cell {failure.Number}: {failure.FirstErrorLine}";
                log.WriteLine($" FAILED in {run.Seconds:0.0} s — {name}.ipynb {detail}");
                results.Add(new HandoutResult(name, codeCells, run.Seconds, false, detail));
                continue;
            }
            var html = renderer.Render(run.Document, name);
            var path = Path.Combine(outputFolder, name + ".html");
            WriteAtomically(path, html);
            var size = string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length / 1e6:0.00} MB");
            log.WriteLine($" ok in {run.Seconds:0.0} s → {path} ({size})");
            results.Add(new HandoutResult(name, codeCells, run.Seconds, true, size));
        }

        var inCatalog = catalog.Questions.Select(q => q.Notebook).ToHashSet(StringComparer.Ordinal);
        var others = Directory.GetFiles(outputFolder, "*.html").Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && n != "index" && !inCatalog.Contains(n)).Cast<string>().Order(StringComparer.Ordinal);
        WriteAtomically(Path.Combine(outputFolder, "index.html"),
            IndexPage.Render(catalog, StateOf, others));
        HandoutState StateOf(string notebook)
        {
            bool failed = results.Any(r => r.Notebook == notebook && !r.Succeeded);
            if (File.Exists(Path.Combine(outputFolder, notebook + ".html")))
                return failed ? HandoutState.FailedEarlierHandoutKept : HandoutState.Built;
            return File.Exists(Path.Combine(notebooksFolder, notebook + ".ipynb")) ? HandoutState.NotBuilt : HandoutState.NotWritten;
        }
        return results;
    }

    /// <summary>A plain-text table: notebook, code cells, seconds, status.</summary>
    public static string Summary(IReadOnlyList<HandoutResult> results)
    {
        var rows = new List<string[]> { new[] { "notebook", "cells", "seconds", "status" } };
        rows.AddRange(results.Select(r => new[]
        {
            r.Notebook, r.CodeCells.ToString(CultureInfo.InvariantCulture), r.Seconds.ToString("0.0", CultureInfo.InvariantCulture),
            (r.Succeeded ? "ok, " : "FAILED, ") + r.Detail,
        }));
        rows.Add(new[]
        {
            "total", results.Sum(r => r.CodeCells).ToString(CultureInfo.InvariantCulture),
            results.Sum(r => r.Seconds).ToString("0.0", CultureInfo.InvariantCulture),
            $"{results.Count(r => r.Succeeded)}/{results.Count} ok",
        });
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (int i = 0; i < rows.Count; i++)
        {
            if (i == 1 || i == rows.Count - 1) text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            text.AppendLine(string.Join("  ", rows[i].Select((cell, c) => c is 1 or 2 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }

    /// <summary>Writes UTF-8 (no byte-order mark) atomically: a temporary file in the same folder, then a rename.</summary>
    public static void WriteAtomically(string path, string content) => AtomicFile.WriteAllText(path, content);
}
