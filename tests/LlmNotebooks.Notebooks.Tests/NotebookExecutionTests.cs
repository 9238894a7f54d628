namespace LlmNotebooks.Notebooks.Tests;

[Collection(HandoutsCollection.Name)]
public class NotebookExecutionTests(HandoutsFixture handouts)
{
    public static TheoryData<string> Notebooks() => Repo.Notebooks();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Runs_in_process_with_no_failed_cell_and_gets_a_handout(string notebook)
    {
        Assert.True(handouts.Results.TryGetValue(notebook, out var result), $"{notebook} was not built.\n{handouts.Log}");
        Assert.True(result.Succeeded, $"{notebook}.ipynb failed: {result.Detail}");
        Assert.True(result.CodeCells > 0);
        Assert.True(File.Exists(handouts.HandoutPath(notebook)));
        Assert.True(File.Exists(Path.Combine(handouts.Executed, notebook + ".ipynb")));
    }

    [Fact]
    public void The_index_links_every_built_handout()
    {
        var index = File.ReadAllText(Path.Combine(handouts.Output, "index.html"));
        foreach (var notebook in handouts.Results.Keys)
            Assert.Contains($"href=\"{notebook}.html\"", index);
    }
}
