namespace LlmNotebooks.Plotting;

/// <summary>A value that displays as an HTML fragment in notebooks and handouts.</summary>
public interface IHtmlDisplay
{
    /// <summary>A self-contained HTML fragment.</summary>
    string ToHtml();
}

/// <summary>
/// Tells .NET Interactive how to display a <typeparamref name="T"/> without this library referencing
/// Microsoft.DotNet.Interactive.Formatting: the Formatter looks for an attribute named
/// <c>TypeFormatterSourceAttribute</c> with a <c>FormatterSourceType</c> property, creates that type, calls its
/// <c>CreateTypeFormatters()</c> and uses every returned object that has <c>MimeType</c>, <c>Type</c> and
/// <c>bool Format(object, TextWriter)</c> (dotnet/interactive, Formatter.TryRegisterFromConventionBasedFormatterSources).
/// </summary>
/// <typeparam name="T">The displayed type.</typeparam>
public sealed class HtmlFormatterSource<T> where T : IHtmlDisplay
{
    /// <summary>The formatters for <typeparamref name="T"/>: one, for text/html.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new HtmlFormatter()];

    /// <summary>Writes <see cref="IHtmlDisplay.ToHtml"/>.</summary>
    public sealed class HtmlFormatter
    {
        /// <summary>The MIME type produced.</summary>
        public string MimeType => "text/html";

        /// <summary>The type formatted.</summary>
        public Type Type => typeof(T);

        /// <summary>Writes the value's HTML; returns false for anything that is not a <typeparamref name="T"/>.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not T value) return false;
            writer.Write(value.ToHtml());
            return true;
        }
    }
}

/// <summary>
/// Marks a type as displayed by a formatter source. .NET Interactive matches this attribute by name (convention), so
/// it is declared here rather than referenced from Microsoft.DotNet.Interactive.Formatting.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The type whose <c>CreateTypeFormatters()</c> returns the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>MIME types to produce by default, most preferred first.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
