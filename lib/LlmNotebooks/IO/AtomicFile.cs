namespace LlmNotebooks.IO;

/// <summary>The library's one atomic writer: a temporary sibling, then a rename, so a failure never leaves a half-written
/// destination (why and how: docs/design.md, "Atomic writes"). Also compiled into the handouts tool, as a linked file.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark, atomically.</summary>
    /// <exception cref="DirectoryNotFoundException">The destination's folder does not exist.</exception>
    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    /// <exception cref="DirectoryNotFoundException">The destination's folder does not exist.</exception>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>
    /// Calls <paramref name="write"/> with a temporary path next to <paramref name="path"/>, then renames that file over
    /// <paramref name="path"/> (File.Move with overwrite: rename(2) on Unix, atomic for readers).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The destination's folder does not exist.</exception>
    public static void Write(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var tmp = TemporarySibling(full);
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>
    /// Fills a temporary sibling folder with <paramref name="fill"/>, then puts it in place of <paramref name="folder"/>
    /// (created or replaced). A failure in <paramref name="fill"/> leaves the old folder untouched. The swap is two renames
    /// (old aside, new in), so for an instant no folder exists at that path; if the second rename fails the old folder is
    /// moved back.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The parent folder does not exist.</exception>
    public static void ReplaceFolder(string folder, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var tmp = TemporarySibling(full);
        var old = tmp + ".old";
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(tmp, full);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
        catch
        {
            if (Directory.Exists(old) && !Directory.Exists(full)) Directory.Move(old, full);
            throw;
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    // ".<name>.<guid>.tmp" in the destination's folder: hidden on Unix, unique per call.
    private static string TemporarySibling(string full)
    {
        var dir = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"{full} is a root; it has no folder to write a temporary file in.", "path");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Folder {dir} does not exist.");
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }
}
