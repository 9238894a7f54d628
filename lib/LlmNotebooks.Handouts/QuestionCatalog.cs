using System.Text.Json;

namespace LlmNotebooks.Handouts;

/// <summary>One interview question and the notebook that answers it.</summary>
public sealed record Question(string Notebook, string En, string Zh);

/// <summary>The list of questions in <c>notebooks/questions.json</c>, in the order of the index page.</summary>
public sealed record QuestionCatalog(string Title, string TitleZh, IReadOnlyList<Question> Questions)
{
    /// <summary>The catalog file's name inside the notebooks folder.</summary>
    public const string FileName = "questions.json";

    /// <summary>Reads <c>questions.json</c> from <paramref name="notebooksFolder"/>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid catalog.</exception>
    public static QuestionCatalog Load(string notebooksFolder)
    {
        var path = Path.Combine(notebooksFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"The question catalog {path} is missing.", path);
        try
        {
            var catalog = JsonSerializer.Deserialize<QuestionCatalog>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
            if (catalog?.Questions is not { Count: > 0 } || catalog.Questions.Any(q => string.IsNullOrWhiteSpace(q.Notebook) || string.IsNullOrWhiteSpace(q.En) || string.IsNullOrWhiteSpace(q.Zh)))
                throw new InvalidDataException($"{path} must list questions, each with notebook, en and zh.");
            return catalog;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}
