using System.Text;

namespace LlmNotebooks.Handouts;

/// <summary>The index.html that lists every question (English and Chinese) with a link to its handout.</summary>
public static class IndexPage
{
    /// <summary>
    /// Renders the page. A question with a handout links to it, noting when this build failed and the file is from an
    /// earlier build; one without a handout is listed as "handout not built" when its notebook exists (it failed, or a
    /// <c>--notebook</c> filter left it out), else as "not written yet".
    /// </summary>
    /// <param name="catalog">The questions.</param>
    /// <param name="state">The state of a notebook's handout, by notebook name.</param>
    /// <param name="others">Handouts of notebooks that are not in the catalog.</param>
    public static string Render(QuestionCatalog catalog, Func<string, HandoutState> state, IEnumerable<string> others)
    {
        var e = HandoutRenderer.Escape;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(e(catalog.Title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>").Append(e(catalog.Title)).Append("<br><small>").Append(e(catalog.TitleZh)).Append("</small></h1>\n");
        html.Append("<p>Each handout answers one question with theory, formulas and experiments run in C#. Every file works offline.</p>\n<ol>\n");
        foreach (var q in catalog.Questions)
        {
            html.Append("<li>");
            var link = $"<a href=\"{e(q.Notebook)}.html\">{e(q.En)}</a>";
            html.Append(state(q.Notebook) switch
            {
                HandoutState.Built => link,
                HandoutState.FailedEarlierHandoutKept =>
                    link + " <span class=\"todo\">(this build failed; the handout is from an earlier build / 本次生成失败，此为旧版讲义)</span>",
                HandoutState.NotBuilt => e(q.En) + " <span class=\"todo\">(handout not built / 讲义未生成)</span>",
                _ => e(q.En) + " <span class=\"todo\">(not written yet / 尚未完成)</span>",
            });
            html.Append("<br><span class=\"zh\" lang=\"zh-CN\">").Append(e(q.Zh)).Append("</span></li>\n");
        }
        html.Append("</ol>\n");
        var extra = others.ToList();
        if (extra.Count > 0)
        {
            html.Append("<h2>Other notebooks</h2>\n<ul>\n");
            foreach (var name in extra) html.Append("<li><a href=\"").Append(e(name)).Append(".html\">").Append(e(name)).Append("</a></li>\n");
            html.Append("</ul>\n");
        }
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private const string Css = """
        body { margin: 0; color: #1f2328; font: 17px/1.6 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", Helvetica, Arial, sans-serif; }
        main { max-width: 48rem; margin: 0 auto; padding: 2rem 1.25rem; }
        h1 small { font-size: .7em; color: #59636e; font-weight: normal; }
        li { margin: .8rem 0; }
        a { color: #0969da; }
        .zh { color: #59636e; }
        .todo { color: #8c959f; font-size: .9em; }
        """;
}

/// <summary>What the index says about one question's handout.</summary>
public enum HandoutState
{
    /// <summary>The notebook does not exist yet.</summary>
    NotWritten,
    /// <summary>The notebook exists but there is no handout (it failed, or a filter left it out).</summary>
    NotBuilt,
    /// <summary>A handout exists; this build did not fail on the notebook (it succeeded, or a filter left it out).</summary>
    Built,
    /// <summary>This build failed on the notebook; a handout from an earlier build is kept.</summary>
    FailedEarlierHandoutKept,
}
