using System.Globalization;

namespace LlmNotebooks.GptSeries;

/// <summary>How precisely a timeline date is known.</summary>
public enum DatePrecision
{
    /// <summary>The day is known (shown as yyyy-MM-dd).</summary>
    Day,

    /// <summary>Only the month is known (shown as yyyy-MM; the day of <see cref="GptGeneration.Date"/> is 1).</summary>
    Month,
}

/// <summary>
/// One generation of the GPT series, for the timeline table. Text columns say "undisclosed" where OpenAI disclosed
/// nothing and "not stated" where the primary source is silent; the matching numeric columns are then null.
/// </summary>
/// <param name="Name">"GPT-1", "GPT-2", "GPT-3", "InstructGPT", "ChatGPT", "GPT-4", "GPT-4o".</param>
/// <param name="Date">First public release (paper or announcement).</param>
/// <param name="DatePrecision">Whether <paramref name="Date"/> is known to the day or to the month.</param>
/// <param name="Paper">Title of the paper or announcement.</param>
/// <param name="Reference">arXiv id ("arXiv:2005.14165") or URL of <paramref name="Paper"/>.</param>
/// <param name="Parameters">Parameters of the largest model, or null when undisclosed.</param>
/// <param name="ParametersText">Parameters as the table shows them, with their source.</param>
/// <param name="Layers">Layers of the largest model, or null when undisclosed.</param>
/// <param name="DModel">dModel of the largest model, or null when undisclosed.</param>
/// <param name="Context">Context length in tokens, or null when undisclosed.</param>
/// <param name="ArchitectureText">Layers, dModel and context as the table shows them.</param>
/// <param name="Tokenizer">Tokenizer and vocabulary size.</param>
/// <param name="TrainingData">What the model was trained on, as the source describes it.</param>
/// <param name="TrainingTokens">Training tokens, or "not stated" / "undisclosed".</param>
/// <param name="Paradigm">The step in the series: pre-training + fine-tuning → zero-shot → few-shot → RLHF → multimodal.</param>
/// <param name="WhatChanged">What this generation changed, in one or two sentences.</param>
/// <param name="Sources">Where every value in the row comes from.</param>
public sealed record GptGeneration(
    string Name, DateOnly Date, DatePrecision DatePrecision, string Paper, string Reference,
    long? Parameters, string ParametersText, int? Layers, int? DModel, int? Context, string ArchitectureText,
    string Tokenizer, string TrainingData, string TrainingTokens, string Paradigm, string WhatChanged, string Sources)
{
    /// <summary>The date as the table shows it: yyyy-MM-dd, or yyyy-MM when only the month is known.</summary>
    public string DateText => DatePrecision == DatePrecision.Day ? Date.ToString("yyyy-MM-dd") : Date.ToString("yyyy-MM");

    /// <summary>
    /// Longer context lengths, in tokens, offered at release as separate variants of the same model (GPT-4: 32,768 for
    /// gpt-4-32k); empty when there were none. <see cref="Context"/> stays the base model's context.
    /// </summary>
    public IReadOnlyList<int> LongerContexts { get; init; } = [];

    /// <summary>
    /// Every context length in tokens as the table shows it, base first ("8,192 / 32,768" for GPT-4), or
    /// <see cref="GptGenerations.Undisclosed"/> when <see cref="Context"/> is null.
    /// </summary>
    public string ContextText => Context is int context
        ? string.Join(" / ", LongerContexts.Prepend(context).Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))
        : GptGenerations.Undisclosed;
}

/// <summary>The GPT generations as data for the timeline table, oldest first. Every value is checked against the source in its row.</summary>
public static class GptGenerations
{
    /// <summary>What the table shows where OpenAI disclosed nothing.</summary>
    public const string Undisclosed = "undisclosed";

    /// <summary>What the table shows where the primary source is silent.</summary>
    public const string NotStated = "not stated";

    /// <summary>GPT-1 through GPT-4o, oldest first.</summary>
    public static IReadOnlyList<GptGeneration> All { get; } =
    [
        new("GPT-1", new DateOnly(2018, 6, 11), DatePrecision.Day,
            "Improving Language Understanding by Generative Pre-Training (Radford, Narasimhan, Salimans, Sutskever)",
            "https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf",
            116_534_784, "116,534,784 (≈117M; released checkpoint; the paper prints no count)",
            12, 768, 512, "12 layers, dModel 768, 12 heads, context 512",
            "BPE with 40,000 merges; 40,478 entries in the released vocabulary",
            "BooksCorpus: over 7,000 unique unpublished books",
            NotStated + " (100 epochs of minibatches of 64 × 512-token sequences)",
            "generative pre-training + supervised fine-tuning",
            "A Transformer decoder pre-trained as a language model on unlabeled books, then fine-tuned on each task with task-specific input transformations.",
            "OpenAI post 'Improving language understanding with unsupervised learning' (2018-06-11); paper §4.1; openai/finetune-transformer-lm model/params_shapes.json"),

        new("GPT-2", new DateOnly(2019, 2, 14), DatePrecision.Day,
            "Language Models are Unsupervised Multitask Learners (Radford, Wu, Child, Luan, Amodei, Sutskever)",
            "https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf",
            1_557_611_200, "1.5B: 1,557,611,200 released (paper Table 2: 1542M); sizes 124M/355M/774M/1.5B",
            48, 1600, 1024, "48 layers, dModel 1600, 25 heads, context 1024",
            "byte-level BPE, 50,257 (tiktoken gpt2 / r50k_base)",
            "WebText: outbound Reddit links with at least 3 karma (45 million links), slightly over 8 million documents, 40 GB of text, Wikipedia removed",
            NotStated,
            "zero-shot multitask",
            "No fine-tuning: tasks are posed as text and solved zero-shot. Pre-LN plus a final LayerNorm, context 1024, 50,257-token byte-level BPE. Staged release; the 1.5B weights came out in November 2019.",
            "OpenAI post 'Better language models and their implications' (2019-02-14); paper §2.1–2.3 and Table 2; openai/gpt-2 model_card.md; openai-community/gpt2-xl config.json"),

        new("GPT-3", new DateOnly(2020, 5, 28), DatePrecision.Day,
            "Language Models are Few-Shot Learners (Brown et al.)",
            "arXiv:2005.14165",
            175_000_000_000, "175B (Table 2.1; Table D.1: 174,600M); eight sizes from 125M",
            96, 12288, 2048, "96 layers, dModel 12288, 96 heads of 128, context 2048",
            "GPT-2's byte-level BPE, 50,257",
            "Filtered Common Crawl 410B tokens (60% of the mix), WebText2 19B (22%), Books1 12B (8%), Books2 55B (8%), Wikipedia 3B (3%)",
            "300B",
            "in-context few-shot learning",
            "Tasks specified in the prompt by an instruction and a few examples, with no gradient updates; more than 100× GPT-2's parameters; alternating dense and locally banded sparse attention.",
            "arXiv:2005.14165 v1 submitted 2020-05-28; Tables 2.1, 2.2, D.1; §2.1"),

        new("InstructGPT", new DateOnly(2022, 1, 27), DatePrecision.Day,
            "Training language models to follow instructions with human feedback (Ouyang et al.)",
            "arXiv:2203.02155",
            175_000_000_000, "1.3B, 6B and 175B (GPT-3 sizes)",
            96, 12288, 2048, "GPT-3's: fine-tuned from the GPT-3 pre-trained models (§3.5); 175B: 96 layers, dModel 12288, context 2048",
            NotStated,
            "GPT-3 fine-tuned on labeler data: SFT on about 13k prompts with demonstrations, reward model on 33k prompts with rankings, PPO on 31k API prompts",
            NotStated + " (fine-tuning: 13k / 33k / 31k prompts)",
            "RLHF / instruction tuning",
            "Supervised fine-tuning on demonstrations, a reward model trained on human rankings, then PPO against it. Labelers prefer the 1.3B InstructGPT to the 175B GPT-3.",
            "OpenAI post 'Aligning language models to follow instructions' (2022-01-27); arXiv:2203.02155 §1, §3.2, §3.5; openai/following-instructions-human-feedback model-card.md (1.3B, 6B, 175B)"),

        new("ChatGPT", new DateOnly(2022, 11, 30), DatePrecision.Day,
            "Introducing ChatGPT",
            "https://openai.com/index/chatgpt/",
            null, Undisclosed,
            null, null, null, Undisclosed,
            Undisclosed,
            "Fine-tuned from a GPT-3.5 series model (finished training in early 2022); dialogues written by AI trainers mixed with the InstructGPT dataset; rankings of sampled replies",
            Undisclosed,
            "RLHF for dialogue",
            "A sibling of InstructGPT trained with the same RLHF method on dialogue data: answers follow-up questions, admits mistakes, rejects inappropriate requests.",
            "OpenAI post 'Introducing ChatGPT' (2022-11-30)"),

        new("GPT-4", new DateOnly(2023, 3, 14), DatePrecision.Day,
            "GPT-4 Technical Report (OpenAI)",
            "arXiv:2303.08774",
            null, Undisclosed,
            null, null, 8192, "undisclosed; context 8,192 (gpt-4) and 32,768 (gpt-4-32k)",
            "cl100k_base (tiktoken's encoding for gpt-4), 100,277 ids",
            "Publicly available data (such as internet data) and data licensed from third-party providers; no further details",
            Undisclosed,
            "multimodal (image + text in, text out)",
            "Accepts images and text; fine-tuned with RLHF; some capabilities predicted from runs with at most 1/1,000th of its compute. The report discloses no model size, hardware, training compute, dataset construction or training method.",
            "arXiv:2303.08774 (abstract, §2); OpenAI post 'GPT-4' (2023-03-14) for the context lengths; tiktoken model.py for the encoding")
        {
            LongerContexts = [32_768],
        },

        new("GPT-4o", new DateOnly(2024, 5, 13), DatePrecision.Day,
            "Hello GPT-4o; GPT-4o System Card (OpenAI)",
            "https://openai.com/index/hello-gpt-4o/; arXiv:2410.21276",
            null, Undisclosed,
            null, null, 128_000, "undisclosed; context 128,000",
            "o200k_base (tiktoken's encoding for gpt-4o), 200,019 ids",
            "Pre-trained on data up to October 2023: select public data (ML datasets, web crawls) and proprietary data from partnerships",
            Undisclosed,
            "omni: text, audio, image and video in; text, audio and image out",
            "One autoregressive network trained end-to-end across text, vision and audio; audio replies in 232 ms at best, 320 ms on average; a new 200k tokenizer.",
            "OpenAI post 'Hello GPT-4o' (2024-05-13); GPT-4o System Card (arXiv:2410.21276) §1–2; OpenAI API model page for the context; tiktoken model.py for the encoding"),
    ];
}
