using System.Runtime.InteropServices;
using TorchSharp;

namespace LlmNotebooks.Training;

/// <summary>Thrown when TorchSharp's native libraries cannot be loaded; the message says why and what to do.</summary>
public sealed class TorchUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception with its explanation and the original load failure.</summary>
    public TorchUnavailableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Checks once that LibTorch loads, and turns a load failure into an actionable message.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad);

    /// <summary>
    /// Loads LibTorch (CPU) if needed. Call before any other torch use.
    /// </summary>
    /// <exception cref="TorchUnavailableException">LibTorch or libLibTorchSharp failed to load. On Debian 12 the cause is
    /// that TorchSharp 0.107.0's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13's libstdc++) and the system has
    /// GLIBCXX_3.4.30; the message names the fix (scripts/patch-torchsharp-glibcxx.sh) and the alternatives.</exception>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } e)
            throw new TorchUnavailableException(Explain(e), e);
    }

    /// <summary>Sets the number of CPU threads torch uses for intra-op parallelism (default: all cores).</summary>
    /// <exception cref="ArgumentOutOfRangeException">threads &lt; 1.</exception>
    /// <exception cref="TorchUnavailableException">See <see cref="EnsureAvailable"/>.</exception>
    public static void SetThreads(int threads)
    {
        Guard.Positive(threads);
        EnsureAvailable();
        torch.set_num_threads(threads);
    }

    /// <summary>The training software, read from the loaded assemblies: "TorchSharp 0.107.0, LibTorch 2.10.0 (CPU), .NET 10.0.1".</summary>
    /// <exception cref="TorchUnavailableException">See <see cref="EnsureAvailable"/>.</exception>
    public static string Software
    {
        get
        {
            EnsureAvailable();
            return $"TorchSharp {PackageVersions.Of(typeof(torch))}, LibTorch {torch.__version__} (CPU), .NET {Environment.Version}";
        }
    }

    private static Exception? TryLoad()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException
                                      or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException)
        {
            return e;
        }
    }

    internal static string Explain(Exception e)
    {
        var detail = e;
        while (detail.InnerException is not null) detail = detail.InnerException;
        string os = RuntimeInformation.OSDescription;
        return
            $"TorchSharp could not load its native libraries on {os} ({RuntimeInformation.OSArchitecture}). " +
            "On Debian 12 the usual cause is that TorchSharp 0.107.0's libLibTorchSharp.so requires GLIBCXX_3.4.32 (GCC 13's " +
            "libstdc++) while the system libstdc++ stops at GLIBCXX_3.4.30. Fix: run `bash scripts/patch-torchsharp-glibcxx.sh` " +
            "from the repository root (it patches the NuGet cache copy once; idempotent), then rebuild. Alternatives: use the " +
            "devcontainer (Ubuntu 24.04), Windows or macOS, or install a libstdc++6 from GCC 13 or later. Only training and the " +
            "torch comparisons need torch; the plain-C# inference in LlmNotebooks.Gpt does not." +
            Environment.NewLine + $"Details: {detail.GetType().Name}: {detail.Message}";
    }
}
