using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using Markdig.Renderers.Html;

namespace LlmNotebooks.Handouts;

/// <summary>
/// Jupyter, VS Code and GitHub draw <c>$$…$$</c> as display math even when it sits on one line inside a paragraph;
/// Markdig parses that as inline math and writes <c>\(…\)</c>. This extension writes <c>\[…\]</c> for two-dollar
/// inline math so the page's KaTeX call renders it in display mode, as the editors do.
/// </summary>
public sealed class DisplayMathExtension : IMarkdownExtension
{
    /// <summary>Nothing to add to the parser: Markdig's mathematics extension (in UseAdvancedExtensions) parses the math.</summary>
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
    }

    /// <summary>Replaces the HTML renderer of inline math with one that writes <c>\[…\]</c> for <c>$$…$$</c>.</summary>
    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is not HtmlRenderer html) return;
        html.ObjectRenderers.RemoveAll(r => r is HtmlMathInlineRenderer);
        html.ObjectRenderers.Add(new Renderer());
    }

    private sealed class Renderer : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline math)
        {
            bool display = math.DelimiterCount >= 2;
            renderer.Write("<span class=\"math\">").Write(display ? "\\[" : "\\(");
            renderer.WriteEscape(ref math.Content);
            renderer.Write(display ? "\\]" : "\\)").Write("</span>");
        }
    }
}
