using System.Text.RegularExpressions;
using System.Text.Json;
using LlmNotebooks.Handouts;
using Microsoft.Playwright;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>
/// Opens each handout in headless Chromium (Debian's, or Playwright's own build; driven by Playwright for .NET) with every request that is not a
/// file: or data: URL aborted, and checks what a reader would see: every chart drawn as SVG, all math typeset by KaTeX
/// (no raw <c>$$</c>, <c>\(</c> or <c>\[</c> left, no KaTeX error), no console errors, and no attempt to reach a network host.
/// </summary>
[Collection(HandoutsCollection.Name)]
public sealed class HandoutBrowserTests(HandoutsFixture handouts) : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static TheoryData<string> Notebooks() => Repo.Notebooks();

    public async Task InitializeAsync()
    {
        // A system Chromium (Debian's package) first; else the Chromium build Playwright installs into
        // ~/.cache/ms-playwright, which is what .ci/install-test-deps does on Ubuntu (whose Chromium is a snap).
        var chromium = System.Environment.GetEnvironmentVariable("CHROMIUM_PATH")
                       ?? new[] { "/usr/bin/chromium", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        _playwright = await Playwright.CreateAsync();
        try
        {
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
        }
        catch (PlaywrightException e) when (chromium is null)
        {
            throw new InvalidOperationException(
                "Chromium was not found. The handout tests open the handouts in it: run `.ci/install-test-deps` as yourself " +
                "(Debian: `sudo apt-get install chromium`; Ubuntu: Playwright's own Chromium), or set CHROMIUM_PATH.\n" + e.Message, e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Opens_offline_with_charts_drawn_math_typeset_and_no_errors(string notebook)
    {
        var path = handouts.HandoutPath(notebook);
        Assert.True(File.Exists(path), $"No handout for {notebook}: {handouts.Results.GetValueOrDefault(notebook)?.Detail}");
        var page = await OpenOfflineAsync(path);

        await page.Page.WaitForFunctionAsync(AllFiguresDrawn, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var facts = await page.Page.EvaluateAsync<JsonElement>(FactsScript);

        Assert.Empty(page.Blocked);
        Assert.Empty(page.Errors);
        Assert.Equal(facts.GetProperty("figures").GetInt32(), facts.GetProperty("drawn").GetInt32());
        // A chart that fell back to text would pass the line above with 0 = 0: a notebook that builds charts must show some.
        if (File.ReadAllText(Repo.NotebookPath(notebook)).Contains("Chart.", StringComparison.Ordinal))
            Assert.True(facts.GetProperty("figures").GetInt32() > 0, $"{notebook} builds charts, but its handout shows none.");
        Assert.Equal(0, facts.GetProperty("katexErrors").GetInt32());
        Assert.Empty(facts.GetProperty("rawMath").EnumerateArray().Select(e => e.GetString()));
        Assert.True(facts.GetProperty("katex").GetInt32() > 0, "A notebook writes its formulas in LaTeX; none was typeset.");
        Assert.Equal(0, facts.GetProperty("errorOutputs").GetInt32());
    }

    [Fact]
    public async Task The_index_lists_eight_questions_in_English_and_Chinese_and_its_links_resolve()
    {
        var page = await OpenOfflineAsync(Path.Combine(handouts.Output, "index.html"));
        var items = await page.Page.Locator("ol > li").AllInnerTextsAsync();
        Assert.Equal(8, items.Count);
        Assert.All(items, text => Assert.Matches(@"\?[\s\S]*\p{IsCJKUnifiedIdeographs}", text));
        foreach (var href in await page.Page.Locator("ol a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            Assert.True(File.Exists(Path.Combine(handouts.Output, href)), $"index.html links to missing {href}");
        Assert.Empty(page.Errors);
        Assert.Empty(page.Blocked);
    }

    [Fact]
    public async Task The_checks_catch_a_broken_page()
    {
        // Guards the guards: a page with raw math, an undrawn chart, a script error and a CDN request fails every check.
        using var probe = new ProbePage(handouts.Output, "broken-page-probe.html", """
            <!DOCTYPE html><html><head><meta charset="utf-8"><script src="https://cdn.example.com/lib.js"></script></head>
            <body><article><p>$$x^2$$ and \(y\)</p><div class="llmnb-figure"></div>
            <div class="outputs"><pre class="error">boom</pre></div><script>undefinedFunction();</script></article></body></html>
            """);
        var page = await OpenOfflineAsync(probe.Path);
        var facts = await page.Page.EvaluateAsync<JsonElement>(FactsScript);
        Assert.Contains("https://cdn.example.com/lib.js", page.Blocked);
        Assert.Contains(page.Errors, e => e.Contains("undefinedFunction"));
        Assert.Equal(1, facts.GetProperty("figures").GetInt32());
        Assert.Equal(0, facts.GetProperty("drawn").GetInt32());
        Assert.Equal(0, facts.GetProperty("katex").GetInt32());
        Assert.Equal(1, facts.GetProperty("errorOutputs").GetInt32());
        Assert.Contains(facts.GetProperty("rawMath").EnumerateArray(), e => e.GetString()!.Contains("$$x^2$$"));
    }

    [Fact]
    public async Task Two_equal_figures_on_one_page_are_both_drawn()
    {
        // A figure's div id comes from its content, so equal figures share it; each must still be drawn in its own div.
        var figure = FiguresOfFirstHandout()[0];
        using var probe = new ProbePage(handouts.Output, "equal-figures-probe.html",
            $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>{WebAssets.Load().PlotlyJs}</script></head>" +
            $"<body>{figure}<p>between</p>{figure}</body></html>");
        var page = await OpenOfflineAsync(probe.Path);
        try
        {
            await page.Page.WaitForFunctionAsync(AllFiguresDrawn, null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        }
        catch (TimeoutException)
        {
            // Counted below: a shared id makes both scripts draw into the first div and leaves the second empty.
        }
        var facts = await page.Page.EvaluateAsync<JsonElement>(FactsScript);
        Assert.Equal(2, facts.GetProperty("figures").GetInt32());
        Assert.Equal(2, facts.GetProperty("drawn").GetInt32());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Without_plotly_on_the_page_figures_load_it_once_from_the_CDN_as_in_an_editor()
    {
        // VS Code and JupyterLab outputs have no plotly.js on the page: the first figure's script adds one script tag for
        // the CDN copy and every figure draws when it has loaded. Here the CDN answers with the same file, offline.
        var figures = FiguresOfFirstHandout().Take(3).ToList();
        Assert.Equal(3, figures.Count);
        var cdn = Regex.Match(figures[0], @"src = ""(https://[^""]+)""").Groups[1].Value;
        Assert.StartsWith("https://cdn.plot.ly/plotly-2.28.0", cdn);
        using var probe = new ProbePage(handouts.Output, "editor-like-probe.html",
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>" + string.Concat(figures) + figures[0] + "</body></html>");
        var page = await OpenOfflineAsync(probe.Path, new Dictionary<string, string> { [cdn] = WebAssets.Load().PlotlyJs });
        await page.Page.WaitForFunctionAsync(AllFiguresDrawn, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        var facts = await page.Page.EvaluateAsync<JsonElement>(FactsScript);
        Assert.Equal(4, facts.GetProperty("drawn").GetInt32());
        Assert.Equal([cdn], page.Blocked); // one request for plotly.js, however many figures
        Assert.Empty(page.Errors);
    }

    private const string AllFiguresDrawn =
        "() => [...document.querySelectorAll('.llmnb-figure')].every(f => f.querySelector('svg.main-svg'))";

    /// <summary>The figure fragments (div + script, as Figure.ToHtml writes them) of the first notebook's handout.</summary>
    private List<string> FiguresOfFirstHandout()
    {
        var first = Path.GetFileNameWithoutExtension(Directory.GetFiles(Repo.NotebooksFolder, "*.ipynb").Order(StringComparer.Ordinal).First());
        var figures = Regex.Matches(File.ReadAllText(handouts.HandoutPath(first)), @"<div class=""llmnb-figure""[\s\S]*?</script>")
            .Select(m => m.Value).ToList();
        Assert.NotEmpty(figures);
        return figures;
    }

    /// <summary>A hand-made page in the handouts folder, deleted when disposed.</summary>
    private sealed class ProbePage : IDisposable
    {
        public ProbePage(string folder, string name, string html)
        {
            Path = System.IO.Path.Combine(folder, name);
            File.WriteAllText(Path, html);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }

    private sealed record OpenPage(IPage Page, List<string> Errors, List<string> Blocked);

    /// <param name="path">The page to open.</param>
    /// <param name="served">Network URLs answered with these bodies instead of being blocked (and still recorded).</param>
    private async Task<OpenPage> OpenOfflineAsync(string path, IReadOnlyDictionary<string, string>? served = null)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Offline = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        var blocked = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add("console: " + m.Text); };
        page.PageError += (_, e) => { lock (errors) errors.Add("page error: " + e); };
        await page.RouteAsync("**/*", async route =>
        {
            var url = route.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal))
                await route.ContinueAsync();
            else if (served?.GetValueOrDefault(url) is { } body)
            {
                lock (blocked) blocked.Add(url);
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/javascript", Body = body });
            }
            else
            {
                lock (blocked) blocked.Add(url);
                await route.AbortAsync();
            }
        });
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
        return new OpenPage(page, errors, blocked);
    }

    private const string FactsScript = """
        () => {
          const article = document.querySelector('article') || document.body;
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
            acceptNode: n => n.parentElement.closest('pre, code, script, style, .katex, .llmnb-figure')
              ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
          const rawMath = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const t = n.textContent;
            if (/\$\$|\\\(|\\\[|\\begin\{|\$\\[a-zA-Z]/.test(t)) rawMath.push(t.trim().slice(0, 120));
          }
          return {
            figures: document.querySelectorAll('.llmnb-figure').length,
            drawn: [...document.querySelectorAll('.llmnb-figure')].filter(f => f.querySelector('svg.main-svg')).length,
            katex: document.querySelectorAll('.katex').length,
            katexErrors: document.querySelectorAll('.katex-error').length,
            errorOutputs: document.querySelectorAll('.outputs pre.error').length,
            rawMath
          };
        }
        """;
}
