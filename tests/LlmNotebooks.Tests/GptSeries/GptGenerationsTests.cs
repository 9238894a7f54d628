using LlmNotebooks.GptSeries;

namespace LlmNotebooks.Tests.GptSeries;

public class GptGenerationsTests
{
    private static GptGeneration Get(string name) => GptGenerations.All.Single(g => g.Name == name);

    [Fact]
    public void Dates_are_the_documented_release_dates_in_order()
    {
        // GPT-1 post 2018-06-11; GPT-2 post 2019-02-14; arXiv:2005.14165 v1 2020-05-28; arXiv:2107.03374 v1 2021-07-07;
        // InstructGPT post 2022-01-27; "Introducing ChatGPT" 2022-11-30; GPT-4 2023-03-14; DevDay 2023-11-06;
        // "Hello GPT-4o" 2024-05-13; "Learning to reason with LLMs" 2024-09-12; GPT-4.5 System Card 2025-02-27;
        // "Introducing GPT-4.1 in the API" 2025-04-14; "Introducing OpenAI o3 and o4-mini" 2025-04-16; openai/gpt-oss
        // first commit 2025-08-05; GPT-5 System Card 2025-08-07.
        Assert.Equal(
            ["2018-06-11", "2019-02-14", "2020-05-28", "2021-07-07", "2022-01-27", "2022-11-30", "2023-03-14", "2023-11-06",
             "2024-05-13", "2024-09-12", "2025-02-27", "2025-04-14", "2025-04-16", "2025-08-05", "2025-08-07"],
            GptGenerations.All.Select(g => g.DateText));
        Assert.Equal(["GPT-1", "GPT-2", "GPT-3", "Codex", "InstructGPT", "ChatGPT", "GPT-4", "GPT-4 Turbo", "GPT-4o", "o1",
            "GPT-4.5", "GPT-4.1", "o3", "gpt-oss", "GPT-5"], GptGenerations.All.Select(g => g.Name));
        Assert.Equal(GptGenerations.All.OrderBy(g => g.Date).Select(g => g.Name), GptGenerations.All.Select(g => g.Name));
    }

    [Fact]
    public void Month_precision_prints_without_a_day()
    {
        var g = Get("GPT-1") with { Date = new DateOnly(2019, 11, 1), DatePrecision = DatePrecision.Month };
        Assert.Equal("2019-11", g.DateText);
    }

    [Fact]
    public void Numbers_agree_with_the_configs_and_tables()
    {
        Assert.Equal(GptModels.OpenAiGpt.CountParameters().Total, Get("GPT-1").Parameters);
        Assert.Equal((GptModels.OpenAiGpt.NLayer, GptModels.OpenAiGpt.DModel, GptModels.OpenAiGpt.NCtx),
            (Get("GPT-1").Layers!.Value, Get("GPT-1").DModel!.Value, Get("GPT-1").Context!.Value));
        Assert.Equal(GptModels.Gpt2Xl.CountParameters().Total, Get("GPT-2").Parameters);
        Assert.Equal((48, 1600, 1024), (Get("GPT-2").Layers!.Value, Get("GPT-2").DModel!.Value, Get("GPT-2").Context!.Value));
        var t = Gpt3Paper.Table21[^1];
        Assert.Equal((t.NLayer, t.DModel, Gpt3Paper.NCtx), (Get("GPT-3").Layers!.Value, Get("GPT-3").DModel!.Value, Get("GPT-3").Context!.Value));
        Assert.Equal(t.NParams, Get("GPT-3").Parameters!.Value);
        Assert.Equal("300B", Get("GPT-3").TrainingTokens);
        Assert.Equal("arXiv:2005.14165", Get("GPT-3").Reference);
        Assert.Equal("arXiv:2203.02155", Get("InstructGPT").Reference);
        // InstructGPT fine-tunes the GPT-3 pre-trained models (arXiv:2203.02155 §3.5): its 175B has GPT-3 175B's shape.
        Assert.Equal((t.NLayer, t.DModel, Gpt3Paper.NCtx), (Get("InstructGPT").Layers!.Value, Get("InstructGPT").DModel!.Value, Get("InstructGPT").Context!.Value));
        Assert.Equal(Get("GPT-3").Parameters, Get("InstructGPT").Parameters);
        Assert.Equal("arXiv:2303.08774", Get("GPT-4").Reference);
        // gpt-oss: our exact count of gpt-oss-120b and its config's shape.
        Assert.Equal(116_829_156_672, Get("gpt-oss").Parameters);
        Assert.Equal((36, 2880, 131_072), (Get("gpt-oss").Layers!.Value, Get("gpt-oss").DModel!.Value, Get("gpt-oss").Context!.Value));
        Assert.Contains("5,132,849,472 active", Get("gpt-oss").ParametersText);
        Assert.StartsWith("arXiv:2508.10925", Get("gpt-oss").Reference);
        Assert.Contains("Transformer-style", Get("GPT-4").WhatChanged);
    }

    [Fact]
    public void Context_grew_to_128K_with_GPT_4_Turbo_then_to_1M_with_GPT_4_1()
    {
        // DevDay 2023-11-06: "128K context window"; GPT-4.1 model page: 1,047,576; GPT-5 API: 272,000 input + 128,000 output.
        var first128K = GptGenerations.All.First(g => g.Context >= 128_000);
        Assert.Equal("GPT-4 Turbo", first128K.Name);
        Assert.Equal("GPT-4.1", GptGenerations.All.First(g => g.Context >= 1_000_000).Name);
        Assert.Equal("1,047,576", Get("GPT-4.1").ContextText);
        Assert.Equal("400,000", Get("GPT-5").ContextText);
        Assert.Equal(GptGenerations.NotStated, Get("Codex").ContextText);
        Assert.Equal(GptGenerations.NotStated, Get("GPT-4.5").ContextText);
        Assert.Equal(["code-davinci-002", "text-davinci-002", "text-davinci-003", "ChatGPT", "gpt-3.5-turbo"],
            GptGenerations.Gpt35Series.Select(m => m.Model));
    }

    [Fact]
    public void Undisclosed_sizes_have_no_numbers()
    {
        foreach (var name in new[] { "ChatGPT", "GPT-4", "GPT-4 Turbo", "GPT-4o", "o1", "GPT-4.5", "GPT-4.1", "o3", "GPT-5" })
        {
            var g = Get(name);
            Assert.Null(g.Parameters);
            Assert.Null(g.Layers);
            Assert.Null(g.DModel);
            Assert.Equal(GptGenerations.Undisclosed, g.ParametersText);
            Assert.Equal(GptGenerations.Undisclosed, g.TrainingTokens);
        }
        Assert.Equal(8192, Get("GPT-4").Context);
        // OpenAI post 'GPT-4' (2023-03-14): gpt-4 has 8,192 tokens; gpt-4-32k, offered with it, 32,768.
        Assert.Equal([32_768], Get("GPT-4").LongerContexts);
        Assert.Equal("8,192 / 32,768", Get("GPT-4").ContextText);
        Assert.Equal("128,000", Get("GPT-4o").ContextText);
        Assert.Equal("1,024", Get("GPT-2").ContextText);
        Assert.Equal(GptGenerations.Undisclosed, Get("ChatGPT").ContextText);
        Assert.All(GptGenerations.All.Where(g => g.Name != "GPT-4"), g => Assert.Empty(g.LongerContexts));
        Assert.All(GptGenerations.All, g =>
        {
            Assert.False(string.IsNullOrWhiteSpace(g.Sources));
            Assert.False(string.IsNullOrWhiteSpace(g.WhatChanged));
            Assert.False(string.IsNullOrWhiteSpace(g.Paradigm));
        });
    }
}
