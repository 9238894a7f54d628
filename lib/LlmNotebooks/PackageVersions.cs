using System.Reflection;

namespace LlmNotebooks;

/// <summary>Versions of the packages the library and its tools run on, read from the loaded assemblies (set once, in
/// Directory.Packages.props), so records never carry a version literal that can drift.</summary>
internal static class PackageVersions
{
    /// <summary>The informational version of the assembly defining <paramref name="type"/>, without a "+commit" suffix, e.g. "2.0.1".</summary>
    public static string Of(Type type) => Of(type.Assembly);

    /// <summary>The informational version of <paramref name="assembly"/>, without a "+commit" suffix.</summary>
    public static string Of(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }

    /// <summary>The version of the loaded assembly called <paramref name="name"/>, or "unknown" when it is not loaded.</summary>
    public static string OfLoaded(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name) is { } a ? Of(a) : "unknown";
}
