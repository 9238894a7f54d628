using System.CommandLine;
using LlmNotebooks.Handouts;
using LlmNotebooks.Notebooks;

// The kernel redirects Console while cells run, so progress goes to the real stdout stream.
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };

var notebooksArgument = new Argument<DirectoryInfo>("notebooks")
{
    Description = "Folder with the .ipynb notebooks and questions.json",
    DefaultValueFactory = _ => new DirectoryInfo("notebooks"),
};
var outputArgument = new Argument<DirectoryInfo>("output")
{
    Description = "Folder the .html handouts and index.html are written to",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "handouts")),
};
var filterOption = new Option<string?>("--notebook", "-n") { Description = "Build only notebooks whose name contains this text" };
var timeoutOption = new Option<int>("--cell-timeout") { Description = "Per-cell time limit in seconds", DefaultValueFactory = _ => 600 };
var executedOption = new Option<DirectoryInfo?>("--executed") { Description = "Also write the executed notebooks (.ipynb with outputs) to this folder" };

var root = new RootCommand("Runs every notebook and writes one self-contained offline HTML handout per notebook, plus index.html.")
{
    notebooksArgument, outputArgument, filterOption, timeoutOption, executedOption,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var timeout = parse.GetValue(timeoutOption);
    if (timeout < 1)
    {
        await Console.Error.WriteLineAsync($"--cell-timeout must be ≥ 1 second; got {timeout}.");
        return 2;
    }
    try
    {
        var builder = new HandoutBuilder(new NotebookRunner { CellTimeout = TimeSpan.FromSeconds(timeout) }, new HandoutRenderer(WebAssets.Load()), stdout);
        var output = parse.GetValue(outputArgument)!;
        var results = await builder.BuildAsync(parse.GetValue(notebooksArgument)!.FullName, output.FullName,
            parse.GetValue(filterOption), parse.GetValue(executedOption)?.FullName, cancellationToken);
        stdout.WriteLine();
        stdout.Write(HandoutBuilder.Summary(results));
        stdout.WriteLine($"Handouts: {Path.Combine(output.FullName, "index.html")}");
        return results.All(r => r.Succeeded) ? 0 : 1;
    }
    catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException)
    {
        // ArgumentException appends " (Parameter '…')" to its message; the user needs only the sentence.
        var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
        await Console.Error.WriteLineAsync("error: " + message);
        return 2;
    }
});
return await root.Parse(args).InvokeAsync();
