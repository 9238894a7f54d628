using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Microsoft.DotNet.Interactive.Documents;

namespace LlmNotebooks.Handouts;

/// <summary>
/// Turns an executed notebook into one self-contained HTML page: markdown rendered with Markdig (math kept for KaTeX),
/// C# code highlighted with highlight.js, outputs as the kernel formatted them (HTML as is, text escaped), and every
/// script, style and font inlined so the page needs no network. plotly.js is inlined once, only when a chart is present.
/// </summary>
public sealed partial class HandoutRenderer(WebAssets assets)
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Use<DisplayMathExtension>().Build();

    /// <summary>The page for <paramref name="document"/>; <paramref name="sourceName"/> is shown in the footer.</summary>
    public string Render(InteractiveDocument document, string sourceName)
    {
        var body = new StringBuilder();
        int code = 0;
        foreach (var element in document.Elements)
        {
            if (element.KernelName is "markdown" or "md")
            {
                var markdown = NotebookLinks().Replace(Markdig.Markdown.ToHtml(element.Contents, Markdown), "href=\"${name}.html${anchor}\"");
                body.Append("<section class=\"cell markdown\">\n").Append(markdown).Append("</section>\n");
                continue;
            }
            if (element.KernelName is "raw") continue;
            code++;
            body.Append("<section class=\"cell code\">\n");
            body.Append("<pre class=\"source\"><code class=\"language-csharp\">").Append(Escape(element.Contents)).Append("</code></pre>\n");
            if (element.Outputs.Count > 0)
            {
                body.Append("<div class=\"outputs\">\n");
                foreach (var output in element.Outputs) body.Append(RenderOutput(output));
                body.Append("</div>\n");
            }
            body.Append("</section>\n");
        }

        string content = NormalizeIds(body.ToString());
        bool hasFigures = content.Contains("class=\"llmnb-figure\"", StringComparison.Ordinal);
        string title = TitleOf(document) ?? sourceName;

        var page = new StringBuilder(capacity: content.Length + 600_000 + (hasFigures ? assets.PlotlyJs.Length : 0));
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append("<meta name=\"generator\" content=\"LlmNotebooks.Handouts\">\n");
        page.Append("<title>").Append(Escape(title)).Append("</title>\n");
        page.Append("<style>").Append(assets.KatexCss).Append("</style>\n");
        page.Append("<style>").Append(assets.HighlightCss).Append("</style>\n");
        page.Append("<style>").Append(PageCss).Append("</style>\n");
        AppendScript(page, assets.KatexJs);
        AppendScript(page, assets.HighlightJs);
        if (hasFigures) AppendScript(page, assets.PlotlyJs);
        page.Append("</head>\n<body>\n<main>\n<nav><a href=\"index.html\">← All eight questions / 全部八个问题</a></nav>\n<article>\n");
        page.Append(content);
        page.Append("</article>\n<footer>Generated from <code>notebooks/").Append(Escape(sourceName))
            .Append(".ipynb</code> by running every cell. Offline handout: all scripts, styles and fonts are inside this file.</footer>\n");
        page.Append("</main>\n");
        AppendScript(page, RenderScript);
        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>The text of the first level-1 heading of the first markdown cell, without markdown syntax; or null.</summary>
    public static string? TitleOf(InteractiveDocument document)
    {
        foreach (var element in document.Elements.Where(e => e.KernelName is "markdown" or "md"))
            foreach (var line in element.Contents.Split('\n'))
                if (line.StartsWith("# ", StringComparison.Ordinal))
                    return Markdig.Markdown.ToPlainText(line[2..].Trim(), Markdown).Trim();
        return null;
    }

    internal static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string RenderOutput(InteractiveDocumentOutputElement output) => output switch
    {
        TextElement t => $"<pre class=\"stream {Escape(t.Name)}\">{Escape(t.Text)}</pre>\n",
        ErrorElement e => $"<pre class=\"error\"><b>{Escape(e.ErrorName)}</b>: {Escape(e.ErrorValue)}</pre>\n",
        DisplayElement d => RenderData(d.Data),
        ReturnValueElement r => RenderData(r.Data),
        _ => "",
    };

    private static string RenderData(IDictionary<string, object> data)
    {
        string? Get(string mime) => data.TryGetValue(mime, out var v) ? v?.ToString() : null;
        if (Get("text/html") is { } html) return $"<div class=\"output html\">{html}</div>\n";
        if (Get("image/svg+xml") is { } svg) return $"<div class=\"output svg\">{svg}</div>\n";
        if (Get("image/png") is { } png) return $"<div class=\"output image\"><img alt=\"\" src=\"data:image/png;base64,{Escape(png.Trim())}\"></div>\n";
        if (Get("text/markdown") is { } md) return $"<div class=\"output markdown\">{Markdig.Markdown.ToHtml(md, Markdown)}</div>\n";
        if (Get("text/plain") is { } text) return $"<pre class=\"output text\">{Escape(text)}</pre>\n";
        return data.Count == 0 ? "" : $"<pre class=\"output text\">{Escape(string.Join("\n", data.Values))}</pre>\n";
    }

    // Microsoft.Data.Analysis's DataFrame formatter names each table table_<DateTime.Now.Ticks>; number them instead
    // so the same notebook gives the same handout.
    private static string NormalizeIds(string html)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        return TickIds().Replace(html, m =>
        {
            if (!map.TryGetValue(m.Value, out var id)) map[m.Value] = id = "table_" + (map.Count + 1);
            return id;
        });
    }

    // A link to a sibling notebook ("02-….ipynb", "./02-….ipynb#anchor") points at its handout in the handouts folder.
    [GeneratedRegex(@"href=""(?:\./)?(?<name>[A-Za-z0-9_.-]+)\.ipynb(?<anchor>#[^""]*)?""")]
    private static partial Regex NotebookLinks();

    [GeneratedRegex(@"table_\d{12,}")]
    private static partial Regex TickIds();

    private static void AppendScript(StringBuilder page, string js) =>
        page.Append("<script>").Append(js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");

    private const string RenderScript = """
        (function () {
          document.querySelectorAll(".math").forEach(function (el) {
            var tex = el.textContent.trim(), display = el.tagName === "DIV";
            if (tex.indexOf("\\(") === 0 && tex.lastIndexOf("\\)") === tex.length - 2) { tex = tex.slice(2, -2); }
            else if (tex.indexOf("\\[") === 0 && tex.lastIndexOf("\\]") === tex.length - 2) { tex = tex.slice(2, -2); display = true; }
            katex.render(tex, el, { displayMode: display, throwOnError: false });
          });
          document.querySelectorAll("pre code.language-csharp").forEach(function (el) { hljs.highlightElement(el); });
        })();
        """;

    private const string PageCss = """
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --code-bg: #f6f8fa; --accent: #0969da; }
        body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.6 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", Helvetica, Arial, sans-serif; }
        main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
        nav { font-size: .9rem; margin-bottom: 1rem; }
        a { color: var(--accent); }
        h1 { font-size: 1.9rem; line-height: 1.25; border-bottom: 1px solid var(--line); padding-bottom: .3em; }
        h2 { font-size: 1.45rem; border-bottom: 1px solid var(--line); padding-bottom: .2em; margin-top: 2rem; }
        table { border-collapse: collapse; margin: .75rem 0; font-size: .92rem; display: block; overflow-x: auto; }
        th, td { border: 1px solid var(--line); padding: .3rem .6rem; }
        th { background: var(--code-bg); }
        blockquote { margin: 0; padding: 0 1em; color: var(--muted); border-left: .25em solid var(--line); }
        code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
        pre { background: var(--code-bg); padding: .75rem 1rem; border-radius: 6px; overflow-x: auto; line-height: 1.45; }
        pre code.hljs { padding: 0; background: transparent; }
        .cell.code { margin: 1rem 0 1.5rem; }
        .cell.code pre.source { border-left: 3px solid var(--accent); }
        .outputs { margin-left: .5rem; padding-left: .75rem; border-left: 3px solid var(--line); }
        .outputs > pre { background: #fff; border: 1px solid var(--line); }
        .dni-plaintext pre { background: transparent; padding: 0; margin: 0; border: 0; }
        .outputs pre.stderr { border-color: #d4a72c; }
        .outputs pre.error { border-color: #cf222e; color: #82071e; background: #ffebe9; }
        .output.html { overflow-x: auto; margin: .5rem 0; }
        .llmnb-figure { min-height: 200px; }
        .katex-display { overflow-x: auto; overflow-y: hidden; padding: .25rem 0; }
        footer { margin-top: 3rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--line); padding-top: 1rem; }
        @media print { nav { display: none; } .cell.code pre.source { white-space: pre-wrap; } }
        """;
}
