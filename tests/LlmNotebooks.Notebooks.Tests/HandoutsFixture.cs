using LlmNotebooks.Handouts;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>
/// Runs every committed notebook once, in-process, through the real handouts builder (as README's first command does)
/// into a temporary folder; the execution and browser tests read the results.
/// </summary>
public sealed class HandoutsFixture : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "llmnb-handouts-" + Guid.NewGuid().ToString("N"));

    public string Executed => Path.Combine(Output, "executed");

    public IReadOnlyDictionary<string, HandoutResult> Results { get; private set; } = new Dictionary<string, HandoutResult>();

    public string Log { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var log = new StringWriter();
        var builder = new HandoutBuilder(new NotebookRunner(), new HandoutRenderer(WebAssets.Load()), log);
        var results = await builder.BuildAsync(Repo.NotebooksFolder, Output, executedFolder: Executed);
        Results = results.ToDictionary(r => r.Notebook);
        Log = log.ToString();
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Output)) Directory.Delete(Output, recursive: true);
        return Task.CompletedTask;
    }

    public string HandoutPath(string notebook) => Path.Combine(Output, notebook + ".html");
}

[CollectionDefinition(Name)]
public sealed class HandoutsCollection : ICollectionFixture<HandoutsFixture>
{
    public const string Name = "handouts";
}
