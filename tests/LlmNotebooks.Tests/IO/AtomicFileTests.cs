using System.Text;
using LlmNotebooks.IO;

namespace LlmNotebooks.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "atomic-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_write_that_fails_halfway_leaves_the_previous_file_and_no_temporary()
    {
        var path = Path.Combine(_root, "a.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, tmp =>
        {
            File.WriteAllBytes(tmp, [9, 9]); // half of the new content, then the disk "fails"
            throw new IOException("disk full");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void Text_is_UTF8_without_byte_order_mark_and_replaces_the_previous_content()
    {
        var path = Path.Combine(_root, "t.json");
        AtomicFile.WriteAllText(path, "old and longer");
        AtomicFile.WriteAllText(path, "état");
        Assert.Equal(Encoding.UTF8.GetBytes("état"), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_missing_folder_is_reported_and_nothing_is_created()
    {
        var path = Path.Combine(_root, "no-such-folder", "a.bin");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllBytes(path, [1]));
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.ReplaceFolder(Path.Combine(_root, "no-such-folder", "model"), _ => { }));
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    // Two writers of one destination in one process (nested here, so the overlap is deterministic) get different
    // temporary files in the destination's folder; the later rename wins and neither write is corrupted.
    [Fact]
    public void Overlapping_writers_of_one_path_get_distinct_temporary_files()
    {
        var path = Path.Combine(_root, "n.txt");
        string? outer = null, inner = null;
        AtomicFile.Write(path, tmp1 =>
        {
            outer = tmp1;
            File.WriteAllText(tmp1, "outer");
            AtomicFile.Write(path, tmp2 => { inner = tmp2; File.WriteAllText(tmp2, "inner"); });
            Assert.Equal("outer", File.ReadAllText(tmp1)); // the inner writer did not touch the outer one's file
        });
        Assert.NotEqual(outer, inner);
        Assert.Equal(_root, Path.GetDirectoryName(outer));
        Assert.StartsWith(".n.txt.", Path.GetFileName(outer));
        Assert.Equal("outer", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    // Temporary names carry a Guid: concurrent writers to one destination never share a temporary file, so every write
    // succeeds and the destination ends up holding one writer's complete content.
    [Fact]
    public void Concurrent_writers_to_one_path_each_write_a_whole_file()
    {
        var path = Path.Combine(_root, "shared.txt");
        var contents = Enumerable.Range(0, 8).Select(w => new string((char)('a' + w), 200_000)).ToArray();
        Parallel.For(0, 8 * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => AtomicFile.WriteAllText(path, contents[i % 8]));
        Assert.Contains(File.ReadAllText(path), contents);
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void ReplaceFolder_swaps_in_the_new_folder_or_on_failure_keeps_the_old_one()
    {
        var folder = Path.Combine(_root, "model");
        AtomicFile.ReplaceFolder(folder, tmp => File.WriteAllText(Path.Combine(tmp, "old.txt"), "old"));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.ReplaceFolder(folder, tmp =>
        {
            File.WriteAllText(Path.Combine(tmp, "new.txt"), "half");
            throw new InvalidOperationException("fails while filling");
        }));
        Assert.Equal([Path.Combine(folder, "old.txt")], Directory.GetFiles(folder));
        Assert.Equal([folder], Directory.GetDirectories(_root)); // no temporary sibling left

        AtomicFile.ReplaceFolder(folder + Path.DirectorySeparatorChar, tmp => File.WriteAllText(Path.Combine(tmp, "new.txt"), "new"));
        Assert.Equal([Path.Combine(folder, "new.txt")], Directory.GetFiles(folder)); // replaced, not merged
        Assert.Equal([folder], Directory.GetDirectories(_root));
    }
}
