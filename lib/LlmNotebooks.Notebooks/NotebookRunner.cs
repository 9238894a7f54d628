using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace LlmNotebooks.Notebooks;

/// <summary>
/// Executes .ipynb notebooks headless, in this process, on a fresh C# kernel per notebook (see <see cref="KernelFactory"/>):
/// cells in order, each with a time limit, with the notebook's folder as the working directory (so relative
/// <c>#r "../…"</c> paths resolve as in VS Code). Outputs (display values, return values, stdout/stderr, errors) are
/// captured into the document. A failed cell does not stop the notebook (later cells run and usually fail too, which
/// the report shows); a timed-out cell does, since its code may still be running.
/// The kernel redirects Console and the working directory is process-wide, so runs are serialised by a process-wide lock.
/// </summary>
public sealed class NotebookRunner
{
    private static readonly SemaphoreSlim ProcessWide = new(1, 1);

    /// <summary>Time limit per cell. Default 10 minutes.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable .ipynb notebook.</exception>
    public static InteractiveDocument Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Notebook not found: {path}", path);
        try
        {
            using var stream = File.OpenRead(path);
            return Notebook.Read(stream, KernelInfos());
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path} is not a readable .ipynb notebook: {e.Message}", e);
        }
    }

    /// <summary>Runs every code cell of the notebook at <paramref name="path"/>.</summary>
    /// <param name="path">The .ipynb file.</param>
    /// <param name="onCell">Called after each cell (for progress), or null.</param>
    /// <param name="cancellationToken">Stops before the next cell.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable .ipynb notebook.</exception>
    public async Task<NotebookRun> RunAsync(string path, Action<CellRun>? onCell = null, CancellationToken cancellationToken = default)
    {
        path = Path.GetFullPath(path);
        var document = Read(path);
        await ProcessWide.WaitAsync(cancellationToken);
        var previousDirectory = Environment.CurrentDirectory;
        var total = Stopwatch.StartNew();
        try
        {
            Environment.CurrentDirectory = Path.GetDirectoryName(path)!;
            using var kernel = KernelFactory.Create();
            var cells = new List<CellRun>();
            bool abandoned = false;
            int executionCount = 0;
            for (int i = 0; i < document.Elements.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var element = document.Elements[i];
                CellRun run;
                if (!IsCode(element))
                    run = new CellRun(i + 1, element.KernelName ?? "markdown", CellStatus.NotCode, 0, null);
                else if (abandoned)
                    run = new CellRun(i + 1, element.KernelName!, CellStatus.Skipped, 0, "Not run: an earlier cell timed out.");
                else
                {
                    element.ExecutionOrder = ++executionCount;
                    run = await RunCellAsync(kernel, element, i + 1);
                    abandoned = run.Status == CellStatus.TimedOut;
                }
                cells.Add(run);
                onCell?.Invoke(run);
            }
            return new NotebookRun(path, document, cells, total.Elapsed.TotalSeconds);
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            ProcessWide.Release();
        }
    }

    private static bool IsCode(InteractiveDocumentElement element) =>
        element.KernelName is not (null or "markdown" or "md" or "raw");

    private async Task<CellRun> RunCellAsync(CompositeKernel kernel, InteractiveDocumentElement element, int number)
    {
        element.Outputs.Clear();
        var outputs = new OutputCollector(element);
        var watch = Stopwatch.StartNew();
        using var subscription = kernel.KernelEvents.Subscribe(outputs.OnEvent);
        var command = new SubmitCode(element.Contents, element.KernelName);
        outputs.Root = command;
        var send = kernel.SendAsync(command);
        var finished = await Task.WhenAny(send, Task.Delay(CellTimeout));
        if (finished != send)
        {
            var message = $"Cell {number} ran longer than the {CellTimeout.TotalSeconds:0} s limit and was abandoned.";
            await kernel.SendAsync(new Cancel());
            outputs.AddError("TimeoutError", message);
            return new CellRun(number, element.KernelName!, CellStatus.TimedOut, watch.Elapsed.TotalSeconds, message);
        }
        var result = await send;
        var failure = result.Events.OfType<CommandFailed>().FirstOrDefault(f => f.Command == command) ??
                      result.Events.OfType<CommandFailed>().FirstOrDefault();
        if (failure is not null)
        {
            var message = failure.Message ?? failure.Exception?.Message ?? "The cell failed.";
            outputs.AddError(failure.Exception?.GetType().Name ?? "Error", message, failure.Exception?.StackTrace);
            return new CellRun(number, element.KernelName!, CellStatus.Failed, watch.Elapsed.TotalSeconds, message);
        }
        return new CellRun(number, element.KernelName!, CellStatus.Succeeded, watch.Elapsed.TotalSeconds, null);
    }

    private static KernelInfoCollection KernelInfos() =>
    [
        new Microsoft.DotNet.Interactive.Documents.KernelInfo(KernelFactory.CSharpKernelName, "C#", ["c#", "C#", "cs"]),
        new Microsoft.DotNet.Interactive.Documents.KernelInfo("markdown", "Markdown", ["md"]),
    ];

    /// <summary>Turns kernel events of one submission into notebook outputs, in order.</summary>
    private sealed class OutputCollector(InteractiveDocumentElement element)
    {
        private readonly Dictionary<string, int> _indexByValueId = new(StringComparer.Ordinal);
        private readonly object _gate = new();

        public KernelCommand? Root { get; set; }

        public void OnEvent(KernelEvent e)
        {
            if (Root is null || !BelongsToRoot(e.Command)) return;
            lock (_gate)
            {
                switch (e)
                {
                    case DisplayedValueUpdated updated:
                        // Replaces the output it updates (e.g. NuGet's "Installing…" → "Installed Packages"). An update
                        // whose id was never displayed is dropped, as Jupyter does with update_display_data (measured
                        // with the 1.0.712001 kernel: display(x).Update(y) sends a new id, and the editors keep x).
                        if (updated.ValueId is not null && _indexByValueId.TryGetValue(updated.ValueId, out var index))
                            element.Outputs[index] = new DisplayElement(Data(updated));
                        break;
                    case ReturnValueProduced value:
                        var rv = new ReturnValueElement { ExecutionOrder = element.ExecutionOrder };
                        foreach (var (k, v) in Data(value)) rv.Data[k] = v;
                        element.Outputs.Add(rv);
                        break;
                    case StandardOutputValueProduced stdout:
                        AddStream("stdout", Text(stdout));
                        break;
                    case StandardErrorValueProduced stderr:
                        AddStream("stderr", Text(stderr));
                        break;
                    case DisplayedValueProduced display:
                        if (display.ValueId is not null) _indexByValueId[display.ValueId] = element.Outputs.Count;
                        element.Outputs.Add(new DisplayElement(Data(display)));
                        break;
                }
            }
        }

        public void AddError(string name, string message, string? stackTrace = null)
        {
            lock (_gate)
                element.Outputs.Add(new ErrorElement(name, message, stackTrace?.Split('\n') ?? []));
        }

        private bool BelongsToRoot(KernelCommand? command)
        {
            for (var c = command; c is not null; c = c.Parent)
                if (ReferenceEquals(c, Root)) return true;
            return false;
        }

        private void AddStream(string name, string text)
        {
            if (element.Outputs.Count > 0 && element.Outputs[^1] is TextElement last && last.Name == name)
                element.Outputs[^1] = new TextElement(last.Text + text, name);
            else
                element.Outputs.Add(new TextElement(text, name));
        }

        private static Dictionary<string, object> Data(DisplayEvent e) =>
            e.FormattedValues
                .Where(v => !v.SuppressDisplay)
                .GroupBy(v => v.MimeType)
                .ToDictionary(g => g.Key, g => (object)g.First().Value);

        private static string Text(DisplayEvent e) => string.Concat(e.FormattedValues.Select(v => v.Value));
    }
}
