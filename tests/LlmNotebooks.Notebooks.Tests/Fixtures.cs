using System.Text.Json.Nodes;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>Builds small .ipynb documents for tests that need paths known only at run time.</summary>
internal static class Fixtures
{
    /// <summary>A notebook with the given C# cells, in the format the committed notebooks use.</summary>
    public static string Notebook(params string[] cells)
    {
        var nb = new JsonObject
        {
            ["cells"] = new JsonArray([.. cells.Select(code => (JsonNode)new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
                ["outputs"] = new JsonArray(),
                ["source"] = code,
            })]),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return nb.ToJsonString();
    }
}
