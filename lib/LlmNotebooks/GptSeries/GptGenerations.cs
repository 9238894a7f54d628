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
/// <param name="Name">"GPT-1", "GPT-2", "GPT-3", "Codex", "InstructGPT", "ChatGPT", "GPT-4", …, "gpt-oss", "GPT-5".</param>
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

    /// <summary>What <see cref="ContextText"/> shows when <see cref="Context"/> is null: <see cref="GptGenerations.Undisclosed"/>
    /// (default) or <see cref="GptGenerations.NotStated"/> where the primary source is silent (Codex, GPT-4.5's system card).</summary>
    public string ContextMissing { get; init; } = GptGenerations.Undisclosed;

    /// <summary>
    /// Every context length in tokens as the table shows it, base first ("8,192 / 32,768" for GPT-4), or
    /// <see cref="ContextMissing"/> when <see cref="Context"/> is null.
    /// </summary>
    public string ContextText => Context is int context
        ? string.Join(" / ", LongerContexts.Prepend(context).Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))
        : ContextMissing;
}

/// <summary>The GPT generations as data for the timeline table, oldest first. Every value is checked against the source in its row.</summary>
public static class GptGenerations
{
    // "116,829,156,672 total, 5,132,849,472 active (120b); 20b: 20,914,757,184 / 3,608,307,264": our exact counts.
    private static string GptOssSizes()
    {
        var (big, small) = (GptOss.Gpt120b.CountParameters(), GptOss.Gpt20b.CountParameters());
        return string.Create(CultureInfo.InvariantCulture,
            $"{big.Total:N0} total, {big.Active:N0} active (120b, computed); 20b: {small.Total:N0} / {small.Active:N0}");
    }

    /// <summary>What the table shows where OpenAI disclosed nothing.</summary>
    public const string Undisclosed = "undisclosed";

    /// <summary>What the table shows where the primary source is silent.</summary>
    public const string NotStated = "not stated";

    /// <summary>GPT-1 through GPT-5 (2025-08), oldest first.</summary>
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

        new("Codex", new DateOnly(2021, 7, 7), DatePrecision.Day,
            "Evaluating Large Language Models Trained on Code (Chen et al.)",
            "arXiv:2107.03374",
            12_000_000_000, "12B (the largest Codex in the paper; GPT models fine-tuned on code)",
            null, null, null, NotStated,
            "GPT-3's BPE plus tokens for runs of whitespace (§3.1: ≈30% fewer tokens on code)",
            "Python files from public GitHub repositories (§3.1)",
            NotStated,
            "fine-tuning on code",
            "HumanEval pass@1 28.8% against GPT-3's 0% and GPT-J's 11.4%, 70.2% with 100 samples per problem; a distinct production version powers GitHub Copilot. The GPT-3.5 series later starts from code-davinci-002, a base model trained on text and code.",
            "arXiv:2107.03374 v1 (2021-07-07): abstract, §3.1")
        {
            ContextMissing = NotStated,
        },

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
            "A \"Transformer-style model\" (the report's words) that accepts images and text; fine-tuned with RLHF; some capabilities predicted from runs with at most 1/1,000th of its compute. The report discloses no model size, hardware, training compute, dataset construction or training method.",
            "arXiv:2303.08774 (abstract, §2); OpenAI post 'GPT-4' (2023-03-14) for the context lengths; tiktoken model.py for the encoding")
        {
            LongerContexts = [32_768],
        },

        new("GPT-4 Turbo", new DateOnly(2023, 11, 6), DatePrecision.Day,
            "New models and developer products announced at DevDay (OpenAI)",
            "https://openai.com/index/new-models-and-developer-products-announced-at-devday/",
            null, Undisclosed,
            null, null, 128_000, "undisclosed; context 128,000",
            "cl100k_base (tiktoken maps gpt-4-* to it), 100,277 ids",
            "Knowledge of world events up to April 2023; nothing else disclosed",
            Undisclosed,
            "long context",
            "The first 128K context in the series, \"more than 300 pages of text in a single prompt\".",
            "OpenAI DevDay post (2023-11-06); tiktoken model.py"),

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

        new("o1", new DateOnly(2024, 9, 12), DatePrecision.Day,
            "Learning to reason with LLMs (OpenAI; o1-preview and o1-mini)",
            "https://openai.com/index/learning-to-reason-with-llms/",
            null, Undisclosed,
            null, null, null, Undisclosed,
            "o200k_base (tiktoken maps o1 to it)",
            Undisclosed,
            Undisclosed,
            "reasoning: RL on chains of thought, test-time compute",
            "Trained with \"large-scale reinforcement learning\" to think in a chain of thought before it answers; OpenAI reports that accuracy improves with more RL compute and with more thinking time. The reward design is not published. The full o1 and its system card followed on 2024-12-05.",
            "OpenAI post 'Learning to reason with LLMs' (2024-09-12); OpenAI o1 System Card (2024-12-05); tiktoken model.py"),

        new("GPT-4.5", new DateOnly(2025, 2, 27), DatePrecision.Day,
            "OpenAI GPT-4.5 System Card",
            "https://openai.com/index/gpt-4-5-system-card/",
            null, Undisclosed,
            null, null, null, Undisclosed,
            "o200k_base (tiktoken maps gpt-4.5-* to it)",
            Undisclosed,
            Undisclosed,
            "larger pre-training",
            "A research preview, \"our largest and most knowledgeable model yet\": builds on GPT-4o and scales pre-training further, trained with new supervision techniques plus SFT and RLHF.",
            "GPT-4.5 System Card (2025-02-27); tiktoken model.py")
        {
            ContextMissing = NotStated,
        },

        new("GPT-4.1", new DateOnly(2025, 4, 14), DatePrecision.Day,
            "Introducing GPT-4.1 in the API (OpenAI; GPT-4.1, mini, nano)",
            "https://openai.com/index/gpt-4-1/",
            null, Undisclosed,
            null, null, 1_047_576, "undisclosed; context 1,047,576 (1M)",
            "o200k_base (tiktoken maps gpt-4.1 to it)",
            "Knowledge cutoff June 2024; nothing else disclosed",
            Undisclosed,
            "1M-token context (API only)",
            "Three API-only models with a 1M-token context and up to 32,768 output tokens.",
            "OpenAI post 'Introducing GPT-4.1 in the API' (2025-04-14) and the API model page; tiktoken model.py"),

        new("o3", new DateOnly(2025, 4, 16), DatePrecision.Day,
            "Introducing OpenAI o3 and o4-mini",
            "https://openai.com/index/introducing-o3-and-o4-mini/",
            null, Undisclosed,
            null, null, null, Undisclosed,
            "o200k_base (tiktoken maps o3 to it)",
            Undisclosed,
            Undisclosed,
            "reasoning (o-series)",
            "\"The latest in our o-series of models trained to think for longer before responding\", released with o4-mini.",
            "OpenAI post 'Introducing OpenAI o3 and o4-mini' (2025-04-16); tiktoken model.py")
        {
            ContextMissing = NotStated,
        },

        new("gpt-oss", new DateOnly(2025, 8, 5), DatePrecision.Day,
            "gpt-oss-120b & gpt-oss-20b Model Card (OpenAI)",
            "arXiv:2508.10925; https://github.com/openai/gpt-oss",
            GptOss.Gpt120b.ParameterCount, GptOssSizes(),
            GptOss.Gpt120b.NLayer, GptOss.Gpt120b.DModel, GptOss.Gpt120b.NCtx,
            "36 layers (20b: 24), dModel 2880, 64 query and 8 KV heads of 64, 128 experts (20b: 32), top-4, context 131,072",
            "o200k_harmony, 201,088 (card §2.3; tiktoken maps gpt-oss-* to it)",
            "Text only, trillions of tokens, with a focus on STEM, coding and general knowledge (card §2.4)",
            NotStated + " (\"trillions\")",
            "open weights: mixture of experts, reasoning",
            "Open weights under Apache 2.0 with the architecture, exact counts and training compute published (2.1M H100-hours for 120b): mixture of experts, grouped-query attention, 128-token banded attention on alternate layers, attention sinks; post-trained \"using similar CoT RL techniques as OpenAI o3\"; MoE weights in MXFP4 so that 120b fits one 80 GB GPU.",
            "arXiv:2508.10925 §2 and Table 1; openai/gpt-oss README and gpt_oss/torch/model.py (first commit 2025-08-05); tiktoken model.py"),

        new("GPT-5", new DateOnly(2025, 8, 7), DatePrecision.Day,
            "GPT-5 System Card (OpenAI)",
            "https://openai.com/index/gpt-5-system-card/",
            null, Undisclosed,
            null, null, 400_000, "undisclosed; API context 400,000 = 272,000 input + 128,000 reasoning and output",
            "o200k_base (tiktoken maps gpt-5 to it)",
            Undisclosed,
            Undisclosed,
            "one system: fast model, reasoning model and a router",
            "\"A unified system with a smart and fast model that answers most questions, a deeper reasoning model for harder problems, and a real-time router that quickly decides which model to use\".",
            "GPT-5 System Card (2025-08-07); OpenAI post 'Introducing GPT-5 for developers' (2025-08-07) for the API context; tiktoken model.py"),
    ];

    /// <summary>
    /// The GPT-3.5 series between GPT-3 and ChatGPT, as OpenAI's "Model index for researchers" described it (2022–23;
    /// archived copy of platform.openai.com/docs/model-index-for-researchers), with the tokenizer tiktoken maps each to.
    /// </summary>
    public static IReadOnlyList<ModelLineageEntry> Gpt35Series { get; } =
    [
        new("code-davinci-002", NotStated, "base model of the GPT-3.5 series",
            "pre-trained on a blend of text and code from before Q4 2021", "p50k_base (50,281 ids)",
            "Model index for researchers; tiktoken model.py and openai_public.py"),
        new("text-davinci-002", NotStated, "an InstructGPT model based on code-davinci-002",
            "FeedME: supervised fine-tuning on human-written demonstrations and on model samples rated 7/7 by labelers",
            "p50k_base (50,281 ids)", "Model index for researchers; tiktoken"),
        new("text-davinci-003", NotStated, "an improvement on text-davinci-002",
            "PPO: reinforcement learning with reward models trained from comparisons by humans", "p50k_base (50,281 ids)",
            "Model index for researchers; tiktoken"),
        new("ChatGPT", "2022-11-30", "a sibling of InstructGPT, fine-tuned from a model in the GPT-3.5 series",
            "RLHF on dialogue: trainer-written conversations, then rankings of sampled replies", NotStated,
            "OpenAI post 'Introducing ChatGPT' (2022-11-30)"),
        new("gpt-3.5-turbo", "2023-03-01", "the ChatGPT model in the API, $0.002 per 1K tokens, 10× cheaper than the GPT-3.5 models before it",
            NotStated, "cl100k_base (100,277 ids)", "OpenAI post 'Introducing ChatGPT and Whisper APIs' (2023-03-01); tiktoken"),
    ];
}

/// <summary>One model of a lineage table (the GPT-3.5 series).</summary>
/// <param name="Model">API name, e.g. "code-davinci-002".</param>
/// <param name="Released">yyyy-MM-dd, or "not stated".</param>
/// <param name="WhatItIs">The source's description.</param>
/// <param name="Training">How it was trained, as the source says.</param>
/// <param name="Tokenizer">tiktoken's encoding for it and its size.</param>
/// <param name="Source">Where the row comes from.</param>
public sealed record ModelLineageEntry(string Model, string Released, string WhatItIs, string Training, string Tokenizer, string Source);
