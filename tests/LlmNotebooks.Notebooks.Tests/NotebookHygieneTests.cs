using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>What every committed notebook, and the template, must be: clean (no outputs), runnable in the editors
/// without our runner, in step with the central package versions, thin and easy for a learner to read.</summary>
public partial class NotebookHygieneTests
{
    public const string LibraryReference = "../artifacts/bin/LlmNotebooks/debug/LlmNotebooks.dll";
    private const int MaxCodeLines = 15;
    private const int MaxLineLength = 100;

    public static TheoryData<string> Notebooks() => Repo.NotebooksAndTemplate();

    public static TheoryData<string> Questions() => Repo.Notebooks();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Carries_no_outputs_or_execution_counts(string notebook)
    {
        foreach (var (cell, index) in Cells(notebook).Select((c, i) => (c, i + 1)).Where(x => x.c.GetProperty("cell_type").GetString() == "code"))
        {
            Assert.True(cell.GetProperty("outputs").GetArrayLength() == 0, $"{notebook} cell {index} has outputs: commit notebooks without outputs.");
            Assert.True(cell.GetProperty("execution_count").ValueKind == JsonValueKind.Null, $"{notebook} cell {index} has an execution count.");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Declares_the_dotnet_csharp_kernel_for_Jupyter_and_Polyglot_Notebooks(string notebook)
    {
        using var doc = Load(notebook);
        var metadata = doc.RootElement.GetProperty("metadata");
        Assert.Equal(".net-csharp", metadata.GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Equal("csharp", metadata.GetProperty("polyglot_notebook").GetProperty("kernelInfo").GetProperty("defaultKernelName").GetString());
        Assert.Equal(4, doc.RootElement.GetProperty("nbformat").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Pins_packages_at_the_central_versions_and_loads_the_library_with_its_packages(string notebook)
    {
        var central = CentralVersions();
        var code = string.Join("\n", CodeCells(notebook));
        var pinned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in NugetDirective().Matches(code))
        {
            var (name, version) = (m.Groups["name"].Value, m.Groups["version"].Value);
            Assert.True(version.Length > 0, $"{notebook}: #r \"nuget: {name}\" has no version; pin the one in Directory.Packages.props.");
            Assert.True(central.TryGetValue(name, out var expected), $"{notebook}: {name} is not in Directory.Packages.props.");
            Assert.True(expected == version, $"{notebook}: {name} is pinned at {version}; Directory.Packages.props has {expected}.");
            pinned[name] = version;
        }

        var libraryLines = PathDirective().Matches(code).Select(m => m.Groups["path"].Value).Where(p => p.EndsWith("LlmNotebooks.dll", StringComparison.Ordinal)).ToList();
        if (libraryLines.Count == 0) return;
        Assert.All(libraryLines, p => Assert.Equal(LibraryReference, p));
        int libraryAt = code.IndexOf(LibraryReference, StringComparison.Ordinal);
        foreach (var package in LibraryPackages())
        {
            Assert.True(pinned.ContainsKey(package), $"{notebook} loads the library but not its package {package}: add #r \"nuget: {package}, {central[package]}\" before it.");
            int at = code.IndexOf($"nuget: {package},", StringComparison.OrdinalIgnoreCase);
            Assert.True(at < libraryAt, $"{notebook}: #r \"nuget: {package}\" must come before the library's #r.");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Code_cells_stay_thin(string notebook)
    {
        foreach (var (source, index) in CodeCells(notebook).Select((s, i) => (s, i + 1)))
        {
            int lines = source.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l));
            Assert.True(lines <= MaxCodeLines, $"{notebook} code cell {index} has {lines} lines (> {MaxCodeLines}): move the code into the library.");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Code_lines_stay_within_100_characters(string notebook)
    {
        foreach (var (source, index) in CodeCells(notebook).Select((s, i) => (s, i + 1)))
            foreach (var line in source.Split('\n'))
                Assert.True(line.TrimEnd('\r').Length <= MaxLineLength,
                    $"{notebook} code cell {index} has a line of {line.Length} characters (> {MaxLineLength}): {line.Trim()}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Code_reads_without_query_let_or_chart_building_lambdas(string notebook)
    {
        foreach (var (source, index) in CodeCells(notebook).Select((s, i) => (s, i + 1)))
        {
            var code = string.Join('\n', source.Split('\n').Select(l => LineComment().Replace(l, "")));
            Assert.False(QueryLet().IsMatch(code),
                $"{notebook} code cell {index} uses LINQ query syntax with let: write a loop, or move the query into the library.");
            var chart = ChartBuildingLambda().Match(code);
            Assert.False(chart.Success,
                $"{notebook} code cell {index} builds charts in a lambda or local function ({chart.Value.Trim()}): "
                + "build each figure in a statement, or in a loop that adds it to a List<Figure>.");
        }
    }

    [Fact]
    public void The_readability_rules_flag_what_they_describe()
    {
        Assert.Matches(QueryLet(), "from t in temps\n    let a = Final(t)\n    select a");
        Assert.DoesNotMatch(QueryLet(), "var lets = from t in temps select t; // let me explain");
        Assert.Matches(ChartBuildingLambda(), "cuts.Select(c => Chart.Line(x, y, c.Name))");
        Assert.Matches(ChartBuildingLambda(), "Figure Bars(double t) => Chart.Bar(labels, p);");
        Assert.Matches(ChartBuildingLambda(), "Figure Panel(string title)\n{\n    return Chart.Line(y);\n}");
        Assert.DoesNotMatch(ChartBuildingLambda(), "var curves = new List<Figure>();\ncurves.Add(Chart.Line(ks, ks.Select(k => Dot(p, k))));");
        Assert.Equal("var x = 1; ", LineComment().Replace("var x = 1; // let y = 2", ""));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Opens_with_a_bilingual_title(string notebook)
    {
        var first = Cells(notebook).First();
        Assert.Equal("markdown", first.GetProperty("cell_type").GetString());
        var title = Source(first).Split('\n')[0];
        Assert.Matches(@"^# .+ / .*\p{IsCJKUnifiedIdeographs}", title);
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public void Is_listed_in_the_catalog(string notebook)
    {
        var catalog = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.NotebooksFolder, "questions.json")));
        Assert.Contains(notebook, catalog.RootElement.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("notebook").GetString()));
    }

    [Fact]
    public void The_catalog_lists_the_eight_questions_with_English_and_Chinese_titles()
    {
        using var catalog = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.NotebooksFolder, "questions.json")));
        var questions = catalog.RootElement.GetProperty("questions").EnumerateArray().ToList();
        Assert.Equal(8, questions.Count);
        for (int i = 0; i < 8; i++)
        {
            Assert.StartsWith($"{i + 1:00}-", questions[i].GetProperty("notebook").GetString());
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", questions[i].GetProperty("zh").GetString());
            Assert.EndsWith("?", questions[i].GetProperty("en").GetString());
        }
    }

    private static JsonDocument Load(string notebook) => JsonDocument.Parse(File.ReadAllText(Repo.NotebookPath(notebook)));

    private static List<JsonElement> Cells(string notebook)
    {
        using var doc = Load(notebook);
        return doc.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    private static IEnumerable<string> CodeCells(string notebook) =>
        Cells(notebook).Where(c => c.GetProperty("cell_type").GetString() == "code").Select(Source);

    private static string Source(JsonElement cell) => cell.GetProperty("source") switch
    {
        { ValueKind: JsonValueKind.Array } a => string.Concat(a.EnumerateArray().Select(l => l.GetString())),
        var s => s.GetString() ?? "",
    };

    internal static Dictionary<string, string> CentralVersions()
    {
        var props = XDocument.Load(Path.Combine(Repo.Root, "Directory.Packages.props"));
        var properties = props.Descendants("PropertyGroup").Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
        return props.Descendants("PackageVersion").ToDictionary(
            e => (string)e.Attribute("Include")!,
            e => MsBuildProperty().Replace((string)e.Attribute("Version")!, m => properties[m.Groups[1].Value]),
            StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> LibraryPackages() =>
        XDocument.Load(Path.Combine(Repo.Root, "lib", "LlmNotebooks", "LlmNotebooks.csproj"))
            .Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!);

    [GeneratedRegex(@"^\s*#r\s+""nuget:\s*(?<name>[^,""\s]+)\s*,?\s*(?<version>[^""\s]*)\s*""", RegexOptions.Multiline)]
    private static partial Regex NugetDirective();

    [GeneratedRegex(@"^\s*#r\s+""(?!nuget:)(?<path>[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex PathDirective();

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex MsBuildProperty();

    // `from x in xs let y = … select …`: a `let` clause after a `from … in`.
    [GeneratedRegex(@"\bfrom\s+\w+\s+in\b[\s\S]*?\blet\s+\w+\s*=")]
    private static partial Regex QueryLet();

    // `xs.Select(x => Chart.Line(…))`, `Figure Panel(…) => Chart.…`, or a local function returning a Figure.
    [GeneratedRegex(@"=>\s*\(?\s*Chart\.|^\s*(?:static\s+)?Figure\s+\w+\s*\(", RegexOptions.Multiline)]
    private static partial Regex ChartBuildingLambda();

    // A // comment to the end of the line (good enough for notebook cells: no "//" inside their strings).
    [GeneratedRegex(@"//.*$")]
    private static partial Regex LineComment();
}
