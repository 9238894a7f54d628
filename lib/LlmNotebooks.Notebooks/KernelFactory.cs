using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace LlmNotebooks.Notebooks;

/// <summary>
/// Builds the in-process kernel a notebook runs on: a composite kernel whose default is a C# kernel with
/// <c>#r "nuget: …"</c>, the kernel helpers (<c>display()</c>) and value sharing — what the dotnet-interactive tool gives
/// VS Code and Jupyter. It also loads packages' .NET Interactive extensions (<c>interactive-extensions/dotnet/*.dll</c>,
/// e.g. the DataFrame formatter of Microsoft.Data.Analysis), which the in-process API does not do by itself.
/// </summary>
public static class KernelFactory
{
    /// <summary>Name of the C# kernel, as Polyglot notebooks record it in cell metadata.</summary>
    public const string CSharpKernelName = "csharp";

    private static readonly ConcurrentDictionary<string, Assembly> LoadedExtensionAssemblies = new(StringComparer.Ordinal);

    static KernelFactory()
    {
        // As the dotnet-interactive tool does for Jupyter and VS Code: a string displays as plain text, not as HTML.
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
    }

    /// <summary>Creates a fresh kernel. Dispose it after the notebook.</summary>
    public static CompositeKernel Create()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective(OnPackagesResolvedAsync)
            .UseKernelHelpers()
            .UseValueSharing()
            .UseWho();
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = CSharpKernelName;
        return composite;
    }

    // The #r "nuget: …" handler: reference the packages' assemblies (the in-process API leaves that to the host),
    // then load their .NET Interactive extensions as the dotnet-interactive tool does.
    private static async Task OnPackagesResolvedAsync(CSharpKernel kernel, IReadOnlyList<ResolvedPackageReference> packages)
    {
        kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
        var target = (Kernel?)kernel.ParentKernel ?? kernel;
        foreach (var package in packages)
        {
            var folder = Path.Combine(package.PackageRoot, "interactive-extensions", "dotnet");
            if (!Directory.Exists(folder)) continue;
            foreach (var dll in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
            {
                var assembly = LoadedExtensionAssemblies.GetOrAdd(Path.GetFullPath(dll), LoadOnce);
                foreach (var type in assembly.GetExportedTypes())
                {
                    if (type.IsAbstract || !typeof(IKernelExtension).IsAssignableFrom(type)) continue;
                    if (Activator.CreateInstance(type) is IKernelExtension extension)
                        await extension.OnLoadAsync(target);
                }
            }
        }
    }

    private static Assembly LoadOnce(string path)
    {
        var name = AssemblyName.GetAssemblyName(path);
        return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name))
               ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }
}
