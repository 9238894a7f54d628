using System.Text.Json;
using Microsoft.DotNet.Interactive.Documents;

namespace LlmNotebooks.Notebooks.Tests;

public class RunnerTests
{
    [Fact]
    public async Task Captures_streams_display_updates_return_values_and_errors_and_runs_on_after_a_failure()
    {
        var source = Repo.Fixture("basics.ipynb");
        var before = File.ReadAllText(source);
        var reported = new List<CellRun>();

        var run = await new NotebookRunner().RunAsync(source, reported.Add);

        Assert.Equal(run.Cells, reported);
        Assert.Equal(6, run.Cells.Count);
        Assert.Equal(CellStatus.NotCode, run.Cells[0].Status);
        Assert.Equal([CellStatus.Succeeded, CellStatus.Succeeded, CellStatus.Succeeded, CellStatus.Failed, CellStatus.Succeeded],
            run.Cells.Skip(1).Select(c => c.Status));
        Assert.False(run.Succeeded);
        Assert.Equal(5, run.FirstFailure!.Number);
        Assert.Contains("boom on purpose", run.FirstFailure.FirstErrorLine);

        var cells = run.Document.Elements;
        var streams = cells[1].Outputs.OfType<TextElement>().ToList();
        Assert.Contains(streams, t => t.Name == "stdout" && t.Text.Contains("to stdout <b>"));
        Assert.Contains(streams, t => t.Name == "stderr" && t.Text.Contains("to stderr"));

        // display(x).Update(y): the 1.0.712001 editor kernel sends the update under a new id, so Jupyter keeps x;
        // the runner does the same rather than showing something the editors never show.
        var displayed = Assert.Single(cells[2].Outputs.OfType<DisplayElement>());
        Assert.Equal("first", displayed.Data["text/plain"]?.ToString());

        // The notebook ran with its own folder as the working directory.
        var cwd = Assert.Single(cells[3].Outputs.OfType<ReturnValueElement>());
        Assert.Equal("Fixtures", cwd.Data["text/plain"]?.ToString());

        Assert.Single(cells[4].Outputs.OfType<ErrorElement>());
        Assert.Contains("after the failure 42", string.Concat(cells[5].Outputs.OfType<ReturnValueElement>().Single().Data.Values));

        // Execution counts are filled in and the source file is untouched.
        using var json = JsonDocument.Parse(run.ToJupyterJson());
        var counts = json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => c.GetProperty("execution_count").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5], counts);
        Assert.Equal(before, File.ReadAllText(source));
    }

    [Fact]
    public async Task Library_figures_and_tables_display_as_html_through_the_convention_formatter()
    {
        // The library does not reference .NET Interactive; its formatters are found by the attribute's name.
        var config = new DirectoryInfo(AppContext.BaseDirectory).Name; // debug or release, as this test build
        var library = Path.Combine(Repo.Root, "artifacts", "bin", "LlmNotebooks", config, "LlmNotebooks.dll");
        var versions = NotebookHygieneTests.CentralVersions();
        // Only what charts and record tables need: a cell that never touches a DataFrame compiles without its package.
        var setup = string.Join("\n", new[] { "System.Numerics.Tensors", "Microsoft.ML.Tokenizers" }
            .Select(p => $"#r \"nuget: {p}, {versions[p]}\"").Append($"#r \"{library}\"").Append("using LlmNotebooks.Plotting;"));
        var notebook = Path.Combine(Path.GetTempPath(), $"llmnb-formatters-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(notebook, Fixtures.Notebook(setup, "Chart.Line(new[] { 1.0, 4, 9 }).WithTitle(\"squares\")",
            "Table.From(new[] { new { Token = \"the\", P = 0.5 } })",
            $"#r \"nuget: Microsoft.Data.Analysis, {versions["Microsoft.Data.Analysis"]}\"\nusing Microsoft.Data.Analysis;",
            "Table.FromDataFrame(new DataFrame(new DoubleDataFrameColumn(\"x\", [1.0 / 3]))).WithFormats(\"0.000\", \"x\")"));
        try
        {
            var run = await new NotebookRunner().RunAsync(notebook);
            Assert.True(run.Succeeded, run.FirstFailure?.Error);
            string Html(int cell) => run.Document.Elements[cell].Outputs.OfType<ReturnValueElement>().Single().Data["text/html"].ToString()!;
            Assert.Contains("class=\"llmnb-figure\"", Html(1));
            Assert.Contains("\"squares\"", Html(1));
            Assert.Contains("<table class=\"llmnb-table\"><thead><tr><th>Token</th><th>P</th>", Html(2));
            // A DataFrame shown through Table: its columns, formatted numbers, no index and no DataFrame formatter.
            Assert.Contains("<thead><tr><th>x</th></tr></thead><tbody><tr><td style=\"text-align:right\">0.333</td>", Html(4));
        }
        finally
        {
            File.Delete(notebook);
        }
    }

    [Fact]
    public async Task A_cell_over_the_time_limit_is_abandoned_and_later_cells_are_skipped()
    {
        var run = await new NotebookRunner { CellTimeout = TimeSpan.FromMilliseconds(500) }.RunAsync(Repo.Fixture("timeout.ipynb"));

        Assert.Equal([CellStatus.TimedOut, CellStatus.Skipped], run.Cells.Select(c => c.Status));
        Assert.Contains("limit", run.FirstFailure!.Error);
        Assert.Equal(1, run.FirstFailure.Number);
    }

    [Fact]
    public async Task A_compile_error_is_reported_with_its_first_line()
    {
        var run = await new NotebookRunner().RunAsync(Repo.Fixture("compile-error.ipynb"));

        Assert.Equal(CellStatus.Failed, run.Cells.Single().Status);
        Assert.Contains("CS0029", run.FirstFailure!.FirstErrorLine);
    }

    [Fact]
    public async Task Missing_and_malformed_notebooks_get_clear_exceptions()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => new NotebookRunner().RunAsync("/no/such/notebook.ipynb"));
        var bad = Path.Combine(Path.GetTempPath(), $"llmnb-bad-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(bad, "{ this is not json");
        try
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => new NotebookRunner().RunAsync(bad));
            Assert.Contains(bad, e.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
