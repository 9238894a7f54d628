using LlmNotebooks.Handouts;

namespace LlmNotebooks.Notebooks.Tests;

public sealed class HandoutBuilderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "llmnb-builder-" + Guid.NewGuid().ToString("N"));
    private string Notebooks => Path.Combine(_root, "notebooks");
    private string Output => Path.Combine(_root, "out");

    public HandoutBuilderTests()
    {
        Directory.CreateDirectory(Notebooks);
        File.Copy(Path.Combine(Repo.NotebooksFolder, "questions.json"), Path.Combine(Notebooks, "questions.json"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Renders_markdown_math_code_and_outputs_into_one_offline_page()
    {
        File.Copy(Repo.Fixture("render.ipynb"), Path.Combine(Notebooks, "render.ipynb"));
        var results = await Builder().BuildAsync(Notebooks, Output);

        var result = Assert.Single(results);
        Assert.True(result.Succeeded, result.Detail);
        var html = File.ReadAllText(Path.Combine(Output, "render.html"));
        Assert.Contains("<title>Render fixture / 渲染</title>", html);
        Assert.Contains("<span class=\"math\">\\(x_i^2 &lt; y\\)</span>", html);   // inline math kept for KaTeX, escaped
        Assert.Contains("<span class=\"math\">\\[\\mathrm{softmax}", html);      // one-line $$…$$ is display math, as in Jupyter
        Assert.Contains("<table>", html);                                         // pipe table
        Assert.Contains("text with &lt;b&gt;tags&lt;/b&gt; &amp; ampersands", html); // stdout escaped
        Assert.Contains("<span id=\"raw-html\">kept as HTML</span>", html);       // text/html kept
        Assert.Contains("interpolated 2", html);                                  // return value
        Assert.Contains("class=\"language-csharp\"", html);
        Assert.Contains("href=\"02-weight-vs-activation-quantization.html#weights\"", html); // links between notebooks follow the handouts
        Assert.Contains("href=\"https://example.org/a.ipynb\"", html);                     // other sites' links are left alone
        Assert.Contains("katex.render", html);
        Assert.DoesNotContain("plotly", html, StringComparison.OrdinalIgnoreCase); // no chart → plotly.js not inlined
        Assert.DoesNotContain("<script src=", html);
        Assert.DoesNotContain("<link ", html);
        Assert.Contains("href=\"render.html\"", File.ReadAllText(Path.Combine(Output, "index.html")));
    }

    [Fact]
    public void The_index_tells_built_failed_unbuilt_and_unwritten_questions_apart()
    {
        var catalog = new QuestionCatalog("Q", "问", [new("01-a", "Built?", "一"), new("02-b", "Failed?", "二"),
            new("03-c", "Filtered?", "三"), new("04-d", "Planned?", "四")]);
        var states = new Dictionary<string, HandoutState>
        {
            ["01-a"] = HandoutState.Built, ["02-b"] = HandoutState.FailedEarlierHandoutKept,
            ["03-c"] = HandoutState.NotBuilt, ["04-d"] = HandoutState.NotWritten,
        };
        var html = IndexPage.Render(catalog, nb => states[nb], ["extra"]);
        Assert.Contains("<li><a href=\"01-a.html\">Built?</a><br>", html);
        Assert.Contains("<a href=\"02-b.html\">Failed?</a> <span class=\"todo\">(this build failed; the handout is from an earlier build", html);
        Assert.Contains("Filtered? <span class=\"todo\">(handout not built / 讲义未生成)</span>", html);
        Assert.Contains("Planned? <span class=\"todo\">(not written yet / 尚未完成)</span>", html);
        Assert.Contains("<a href=\"extra.html\">extra</a>", html);
    }

    [Fact]
    public async Task A_failing_notebook_leaves_the_previous_handout_untouched()
    {
        File.Copy(Repo.Fixture("basics.ipynb"), Path.Combine(Notebooks, "basics.ipynb"));
        Directory.CreateDirectory(Output);
        var previous = Path.Combine(Output, "basics.html");
        File.WriteAllText(previous, "the good handout from an earlier run");

        var result = Assert.Single(await Builder().BuildAsync(Notebooks, Output));

        Assert.False(result.Succeeded);
        Assert.Equal("cell 5: System.InvalidOperationException: boom on purpose", result.Detail);
        Assert.Equal("the good handout from an earlier run", File.ReadAllText(previous));
        Assert.Empty(Directory.GetFiles(Output, "*.tmp"));
        Assert.Contains("FAILED", HandoutBuilder.Summary([result]));
    }

    [Fact]
    public async Task The_index_says_when_a_linked_handout_is_left_from_an_earlier_build()
    {
        // The failing fixture under the name of question 1, with a handout from an earlier build in the output folder.
        File.Copy(Repo.Fixture("basics.ipynb"), Path.Combine(Notebooks, "01-positional-encoding.ipynb"));
        Directory.CreateDirectory(Output);
        File.WriteAllText(Path.Combine(Output, "01-positional-encoding.html"), "an earlier handout");

        Assert.False(Assert.Single(await Builder().BuildAsync(Notebooks, Output)).Succeeded);

        var index = File.ReadAllText(Path.Combine(Output, "index.html"));
        Assert.Matches("<a href=\"01-positional-encoding.html\">[^<]+</a> <span class=\"todo\">\\(this build failed; the handout is from an earlier build", index);
        Assert.Contains("(not written yet / 尚未完成)", index); // question 2 has no notebook here
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_is_an_error()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Builder().BuildAsync(Notebooks, Output, filter: "no-such"));
        Assert.Contains("no-such", e.Message);
    }

    // Another writer of the same handout holds a temporary file under the name a process-id-only scheme would pick
    // (another thread of this process, or another container whose tool is also PID 1 on a shared volume). Our write must
    // neither fail on it, nor overwrite it, nor delete it.
    [Fact]
    public void WriteAtomically_does_not_collide_with_another_writers_temporary_file()
    {
        Directory.CreateDirectory(Output);
        var path = Path.Combine(Output, "01.html");
        var theirs = Path.Combine(Output, $".01.html.{Environment.ProcessId}.tmp");
        using (var other = new FileStream(theirs, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            other.Write("their half-written handout"u8);
            other.Flush();
            HandoutBuilder.WriteAtomically(path, "<p>ours</p>");
        }
        Assert.Equal("<p>ours</p>", File.ReadAllText(path));
        Assert.Equal("their half-written handout", File.ReadAllText(theirs));
        Assert.Equal(new[] { path, theirs }.Order(StringComparer.Ordinal), Directory.GetFiles(Output).Order(StringComparer.Ordinal));
    }

    private static HandoutBuilder Builder() => new(new NotebookRunner(), new HandoutRenderer(WebAssets.Load()), TextWriter.Null);
}
