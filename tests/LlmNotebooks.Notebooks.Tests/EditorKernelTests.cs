using System.Text.Json;

namespace LlmNotebooks.Notebooks.Tests;

/// <summary>
/// Every notebook also runs under the kernel VS Code Polyglot Notebooks and Jupyter run — the dotnet-interactive tool
/// 1.0.712001 (a local tool, see dotnet-tools.json) — driven by Debian's jupyter-nbconvert, because our in-process
/// runner could hide differences (package loading, formatters, FSharp.Core). The kernelspec is registered by
/// scripts/register-jupyter-kernel.sh into a folder of the test output (JUPYTER_PATH), never into the user's home.
/// </summary>
public sealed class EditorKernelFixture
{
    public EditorKernelFixture()
    {
        NbConvert = Repo.OnPath("jupyter-nbconvert") ?? throw new InvalidOperationException(
            "jupyter-nbconvert is not installed. The editor-kernel tests execute the notebooks with it: on Debian/Ubuntu run " +
            "`sudo apt-get install jupyter-nbconvert python3-nbclient` (or run `.ci/install-test-deps` as yourself).");
        JupyterPath = Path.Combine(AppContext.BaseDirectory, "jupyter");
        var kernels = Path.Combine(JupyterPath, "kernels");
        if (Directory.Exists(kernels)) Directory.Delete(kernels, recursive: true);

        // Registered exactly as README tells users to: the script restores the local tool, runs
        // `dotnet-interactive jupyter install --path`, and keeps the kernel's HTTP endpoint on loopback.
        var register = Repo.Run("bash", [Path.Combine(Repo.Root, "scripts", "register-jupyter-kernel.sh"), kernels], Repo.Root,
            TimeSpan.FromMinutes(5), Environment);
        var kernelJson = Path.Combine(kernels, ".net-csharp", "kernel.json");
        Assert.True(register.ExitCode == 0 && File.Exists(kernelJson), "scripts/register-jupyter-kernel.sh failed:\n" + register.Output);
        Assert.Contains("--http-local-only", File.ReadAllText(kernelJson));
    }

    public string NbConvert { get; }

    public string JupyterPath { get; }

    public Dictionary<string, string> Environment => new()
    {
        ["JUPYTER_PATH"] = JupyterPath,
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Path.GetTempPath(), "llmnb-jupyter-runtime"),
        ["JUPYTER_CONFIG_DIR"] = Path.Combine(AppContext.BaseDirectory, "jupyter", "config"),
        ["JUPYTER_PLATFORM_DIRS"] = "1",
        ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };
}

public class EditorKernelTests(EditorKernelFixture kernel) : IClassFixture<EditorKernelFixture>
{
    public static TheoryData<string> Notebooks() => Repo.Notebooks();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Runs_under_the_dotnet_interactive_jupyter_kernel_with_no_error(string notebook)
    {
        var output = Path.Combine(Path.GetTempPath(), "llmnb-nbconvert-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = Repo.Run(kernel.NbConvert,
            [
                "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=.net-csharp",
                "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=180",
                "--output-dir", output, Repo.NotebookPath(notebook),
            ], Repo.NotebooksFolder, TimeSpan.FromMinutes(20), kernel.Environment);
            var executed = Path.Combine(output, notebook + ".ipynb");
            Assert.True(run.ExitCode == 0 && File.Exists(executed), $"nbconvert --execute failed for {notebook}:\n{Tail(run.Output)}");

            using var doc = JsonDocument.Parse(File.ReadAllText(executed));
            var cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToList();
            for (int i = 0; i < cells.Count; i++)
            {
                if (!cells[i].TryGetProperty("outputs", out var outputs)) continue;
                foreach (var o in outputs.EnumerateArray().Where(o => o.GetProperty("output_type").GetString() == "error"))
                    Assert.Fail($"{notebook} cell {i + 1}: {o.GetProperty("ename").GetString()}: {o.GetProperty("evalue").GetString()}");
            }
            int executedCells = cells.Count(c => c.TryGetProperty("execution_count", out var n) && n.ValueKind == JsonValueKind.Number);
            Assert.Equal(cells.Count(c => c.GetProperty("cell_type").GetString() == "code"), executedCells);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}
