using System.Text.RegularExpressions;

namespace LlmNotebooks.Notebooks.Tests;

[Collection(HandoutsCollection.Name)]
public partial class NotebookExecutionTests(HandoutsFixture handouts)
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

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_relative_link_in_the_handout_resolves(string notebook)
    {
        // A handout is passed around with its siblings: a link to a notebook that has no handout is a dead link.
        var html = File.ReadAllText(handouts.HandoutPath(notebook));
        var article = html[html.IndexOf("<article>", StringComparison.Ordinal)..html.LastIndexOf("</article>", StringComparison.Ordinal)];
        foreach (Match m in RelativeLink().Matches(article))
        {
            var target = m.Groups["target"].Value;
            Assert.True(File.Exists(Path.Combine(handouts.Output, target)), $"{notebook}.html links to {target}, which was not built.");
        }
    }

    [Fact]
    public void The_template_is_not_built_as_a_question()
    {
        // notebooks/template/notebook.ipynb sits in a subfolder: the builder's *.ipynb glob is not recursive.
        Assert.True(File.Exists(Repo.NotebookPath(Repo.Template)));
        Assert.Equal(Repo.NotebookNames(),
            handouts.Results.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Path.GetFileName(Repo.Template), handouts.Results.Keys);
    }

    [Fact]
    public async Task The_template_runs_once_copied_beside_the_notebooks()
    {
        // One folder below the repository root, as notebooks/ is, so its relative #r of the library resolves.
        var copy = Path.Combine(Repo.Root, "artifacts", $"template-check-{Guid.NewGuid():N}.ipynb");
        File.Copy(Repo.NotebookPath(Repo.Template), copy);
        try
        {
            var run = await new NotebookRunner().RunAsync(copy);
            Assert.True(run.Succeeded, $"the template failed: {run.FirstFailure?.Error}");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void The_index_links_every_built_handout()
    {
        var index = File.ReadAllText(Path.Combine(handouts.Output, "index.html"));
        foreach (var notebook in handouts.Results.Keys)
            Assert.Contains($"href=\"{notebook}.html\"", index);
    }

    // <a href="something.html"> or "something.html#anchor": no scheme, not a pure fragment.
    [GeneratedRegex(@"<a\s[^>]*href=""(?![a-z][a-z0-9+.-]*:|#)(?<target>[^""#?]+)(?:#[^""]*)?""")]
    private static partial Regex RelativeLink();
}
