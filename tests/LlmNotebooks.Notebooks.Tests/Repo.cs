using System.Diagnostics;
using System.Text;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>Paths of the repository the tests run in, and a process helper.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string NotebooksFolder => Path.Combine(Root, "notebooks");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The committed notebooks, as xunit theory data (file names without extension).</summary>
    public static TheoryData<string> Notebooks() => new(NotebookNames());

    /// <summary>File names without extension of the committed notebooks (notebooks/*.ipynb), in ordinal order.</summary>
    public static IReadOnlyList<string> NotebookNames() =>
        [.. Directory.GetFiles(NotebooksFolder, "*.ipynb").Order(StringComparer.Ordinal).Select(Path.GetFileNameWithoutExtension)!];

    /// <summary>The template new notebooks start from, as a name for <see cref="NotebookPath"/>. It sits in a subfolder,
    /// so the top-level *.ipynb globs (tests, handouts) never take it for a question.</summary>
    public const string Template = "template/notebook";

    /// <summary>The committed notebooks and the template, as xunit theory data: what the hygiene rules apply to.</summary>
    public static TheoryData<string> NotebooksAndTemplate()
    {
        var data = Notebooks();
        data.Add(Template);
        return data;
    }

    public static string NotebookPath(string name) => Path.Combine(NotebooksFolder, name + ".ipynb");

    /// <summary>Runs a program and returns its exit code and combined output; throws if it does not finish in time.</summary>
    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s.\n{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The full path of an executable found on PATH, or null.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlmNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"LlmNotebooks.sln not found above {AppContext.BaseDirectory}.");
    }
}
