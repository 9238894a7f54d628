using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmNotebooks.IO;

/// <summary>The one set of JSON options for the files the library writes and reads (config.json, training.json, log.json).</summary>
internal static class JsonFiles
{
    /// <summary>camelCase names, indented, enums as names (never integers), unknown fields rejected, NaN/∞ as "NaN"/"Infinity",
    /// non-ASCII text (–, ×) written as is.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
