using System.Text.RegularExpressions;

namespace LlmNotebooks.Handouts;

/// <summary>
/// The front-end files inlined into each handout (copied next to the tool by the build from node_modules):
/// KaTeX (JS + CSS with its woff2 fonts as data: URIs), highlight.js with the GitHub style, and plotly.js.
/// </summary>
public sealed partial class WebAssets
{
    private WebAssets(string katexJs, string katexCss, string highlightJs, string highlightCss, string plotlyJs)
    {
        KatexJs = katexJs;
        KatexCss = katexCss;
        HighlightJs = highlightJs;
        HighlightCss = highlightCss;
        PlotlyJs = plotlyJs;
    }

    /// <summary>katex.min.js (KaTeX 0.19.1), ≈273 KB.</summary>
    public string KatexJs { get; }

    /// <summary>katex.min.css with every @font-face reduced to its woff2 file as a data: URI, ≈400 KB.</summary>
    public string KatexCss { get; }

    /// <summary>highlight.min.js (highlight.js 11.12.0, common languages including C#), ≈129 KB.</summary>
    public string HighlightJs { get; }

    /// <summary>The GitHub light theme for highlight.js.</summary>
    public string HighlightCss { get; }

    /// <summary>plotly.min.js 2.28.0 (the version <c>Figure.PlotlyJsVersion</c> names), ≈3.6 MB; inlined only when a page has a chart.</summary>
    public string PlotlyJs { get; }

    /// <summary>Loads the assets from <paramref name="folder"/> (default: the "web" folder next to the tool).</summary>
    /// <exception cref="FileNotFoundException">An asset is missing; the message says how to get it.</exception>
    public static WebAssets Load(string? folder = null)
    {
        folder ??= Path.Combine(AppContext.BaseDirectory, "web");
        string Read(string name)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"Handout asset {path} is missing. Run `npm ci` in the repository root, then build again (`dotnet build lib/LlmNotebooks.Handouts`).", path);
            return File.ReadAllText(path);
        }

        // Keep only the woff2 source of each @font-face and inline it; every browser that runs KaTeX reads woff2.
        var css = FontFaceUrls().Replace(Read("katex.min.css"), m =>
        {
            var fontPath = Path.Combine(folder, "fonts", m.Groups["file"].Value + ".woff2");
            if (!File.Exists(fontPath))
                throw new FileNotFoundException($"KaTeX font {fontPath} is missing. Run `npm ci` in the repository root, then build again.", fontPath);
            return "src:url(data:font/woff2;base64," + Convert.ToBase64String(File.ReadAllBytes(fontPath)) + ") format(\"woff2\")";
        });
        return new WebAssets(Read("katex.min.js"), css, Read("highlight.min.js"), Read("github.min.css"), Read("plotly.min.js"));
    }

    // src:url(fonts/KaTeX_AMS-Regular.woff2) format("woff2"),url(fonts/…woff) format("woff"),url(fonts/…ttf) format("truetype")
    [GeneratedRegex("""src:url\(fonts/(?<file>[A-Za-z0-9_-]+)\.woff2\)\s*format\("woff2"\)(,url\([^)]*\)\s*format\("[a-z]+"\))*""")]
    private static partial Regex FontFaceUrls();
}
