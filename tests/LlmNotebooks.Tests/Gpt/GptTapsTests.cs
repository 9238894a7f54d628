using LlmNotebooks.Gpt;
using static LlmNotebooks.Tests.Gpt.GptModelTests;

namespace LlmNotebooks.Tests.Gpt;

public class GptTapsTests
{
    private static readonly GptConfig Small = new() { NLayer = 2, NHead = 2, DModel = 8, NCtx = 6, VocabSize = 11 };
    private static readonly int[] Ids = [3, 1, 4, 1, 5, 9];

    // Logits through a KV-cache session, one token at a time: [T, vocab].
    private static float[,] SessionLogits(GptModel model, int[] ids)
    {
        var session = model.CreateSession();
        var logits = new float[ids.Length, model.Config.VocabSize];
        for (int t = 0; t < ids.Length; t++)
        {
            var row = session.Append(ids[t]);
            for (int v = 0; v < row.Length; v++) logits[t, v] = row[v];
        }
        return logits;
    }

    private static GptTaps Everywhere(GptConfig config, TapHandler handler)
    {
        var taps = new GptTaps();
        foreach (var point in GptTaps.Points(config)) taps.On(point, handler);
        return taps;
    }

    [Theory]
    [MemberData(nameof(Variants), MemberType = typeof(GptModelTests))]
    public void An_identity_tap_at_every_point_leaves_the_logits_bit_identical(NormPlacement placement, NormKind norm, PositionalScheme positions)
    {
        var model = RandomModel(Small with { Placement = placement, Norm = norm, Positions = positions });
        int calls = 0;
        var tapped = model.WithTaps(Everywhere(model.Config, a =>
        {
            calls++;
            var row = a.Row(a.Rows - 1);
            row[0] = row[0]; // read and write back the same value
        }));
        Assert.Equal(model.Logits(Ids), tapped.Logits(Ids));                         // whole sequence
        Assert.Equal(GptTaps.Points(model.Config).Count, calls);
        Assert.Equal(SessionLogits(model, Ids), SessionLogits(tapped, Ids));           // KV-cache session
        Assert.Equal(model.Logits(Ids), SessionLogits(tapped, Ids));
    }

    [Theory]
    [InlineData(NormPlacement.PreLN)]
    [InlineData(NormPlacement.PostLN)]
    public void Zeroing_the_input_of_h0_mlp_c_proj_equals_a_zero_c_proj_weight(NormPlacement placement)
    {
        var model = RandomModel(Small with { Placement = placement });
        var zeroInput = model.WithTaps(new GptTaps().OnInput("h.0.mlp.c_proj", a => a.Values.Clear()));
        var zeroWeight = model.WithWeights(new Dictionary<string, float[]> { ["h.0.mlp.c_proj.weight"] = new float[8 * 32] });
        Assert.Equal(zeroWeight.Logits(Ids), zeroInput.Logits(Ids));
        Assert.Equal(SessionLogits(zeroWeight, Ids), SessionLogits(zeroInput, Ids));
        Assert.NotEqual(model.Logits(Ids), zeroInput.Logits(Ids));
    }

    [Fact]
    public void An_input_tap_sees_a_copy_so_the_residual_stream_is_untouched()
    {
        // Post-LN: c_attn's input is the residual stream itself. Zeroing what c_attn sees must act like a zero c_attn
        // weight (q, k, v = bias), not wipe the residual that x + attn(x) adds to.
        var model = RandomModel(Small with { Placement = NormPlacement.PostLN });
        var zeroInput = model.WithTaps(new GptTaps().OnInput("h.1.attn.c_attn", a => a.Values.Clear()));
        var zeroWeight = model.WithWeights(new Dictionary<string, float[]> { ["h.1.attn.c_attn.weight"] = new float[24 * 8] });
        Assert.Equal(zeroWeight.Logits(Ids), zeroInput.Logits(Ids));
        // An output tap rewrites what flows on: zeroing the residual after h.1 leaves ln_f nothing but its bias.
        var pre = RandomModel(Small);
        var wiped = pre.WithTaps(new GptTaps().OnOutput("h.1", a => a.Values.Clear())).Trace(Ids);
        var bias = pre.Weights["ln_f.bias"].Values.ToArray();
        for (int i = 0; i < 8; i++) Assert.Equal(bias[i], wiped["ln_f:output"][5, i]);
    }

    [Theory]
    [MemberData(nameof(Variants), MemberType = typeof(GptModelTests))]
    public void Taps_see_the_same_values_in_the_session_and_the_whole_sequence_pass(NormPlacement placement, NormKind norm, PositionalScheme positions)
    {
        var model = RandomModel(Small with { Placement = placement, Norm = norm, Positions = positions });
        var wholeSequence = model.Trace(Ids);
        var seen = new Dictionary<TapPoint, List<(int Position, float[] Row)>>();
        var taps = Everywhere(model.Config, a =>
        {
            Assert.Equal(1, a.Rows);
            Assert.Equal(0, a.Sequence(0));
            if (!seen.TryGetValue(a.Point, out var rows)) seen[a.Point] = rows = [];
            rows.Add((a.Position(0), a.Row(0).ToArray()));
        });
        SessionLogits(model.WithTaps(taps), Ids);
        Assert.Equal(wholeSequence.Activations.Keys.ToHashSet(), seen.Keys.ToHashSet());
        foreach (var (point, rows) in seen)
        {
            var matrix = wholeSequence.Activations[point];
            Assert.Equal(Enumerable.Range(0, Ids.Length), rows.Select(r => r.Position));
            for (int t = 0; t < Ids.Length; t++)
                for (int c = 0; c < matrix.GetLength(1); c++)
                    Assert.True(matrix[t, c] == rows[t].Row[c], $"{point} [{t}, {c}]: whole sequence {matrix[t, c]}, session {rows[t].Row[c]}");
        }
    }

    [Fact]
    public void Whole_sequence_taps_see_every_row_of_the_batch_with_its_position_and_sequence()
    {
        var model = RandomModel(Small);
        var points = new List<(int Rows, int Width, int Position, int Sequence)>();
        var taps = new GptTaps().OnInput("lm_head", a => points.Add((a.Rows, a.Width, a.Position(4), a.Sequence(4))));
        var batch = new int[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        var logits = model.WithTaps(taps).Logits(batch);
        Assert.Equal([(6, 8, 1, 1)], points); // row 4 = sequence 1, position 1
        var second = model.Logits([4, 5, 6]);
        for (int t = 0; t < 3; t++)
            for (int v = 0; v < 11; v++) Assert.Equal(second[t, v], logits[1, t, v]); // sequences do not see each other (eval mode)
    }

    [Fact]
    public void A_replaced_linear_layer_computes_instead_of_the_default()
    {
        // LoRA on the fly (Hu et al. 2021): y = W·x + b + ΔW·x with ΔW = B·A, here a rank-1 B·A on h.0.attn.c_attn,
        // must equal the merged weight W + ΔW.
        var model = RandomModel(Small);
        var layer = model.Linear("h.0.attn.c_attn");
        Assert.Equal((8, 24, "h.0.attn.c_attn"), (layer.InFeatures, layer.OutFeatures, layer.Name));
        float[] a = [.. Enumerable.Range(0, 8).Select(i => 0.1f * (i - 3))];   // A [1, in]
        float[] b = [.. Enumerable.Range(0, 24).Select(o => 0.05f * (o % 5))]; // B [out, 1]
        var merged = layer.Weight.ToArray();
        for (int o = 0; o < 24; o++)
            for (int i = 0; i < 8; i++) merged[o * 8 + i] += b[o] * a[i];
        var taps = new GptTaps().ReplaceLinear("h.0.attn.c_attn", (l, x, y, rows) =>
        {
            l.Forward(x, y, rows);
            for (int r = 0; r < rows; r++)
            {
                float ax = 0;
                for (int i = 0; i < l.InFeatures; i++) ax += a[i] * x[r * l.InFeatures + i];
                for (int o = 0; o < l.OutFeatures; o++) y[r * l.OutFeatures + o] += b[o] * ax;
            }
        });
        var onTheFly = model.WithTaps(taps).Logits(Ids);
        var expected = model.WithWeights(new Dictionary<string, float[]> { ["h.0.attn.c_attn.weight"] = merged }).Logits(Ids);
        for (int t = 0; t < Ids.Length; t++)
            for (int v = 0; v < 11; v++) Assert.Equal(expected[t, v], onTheFly[t, v], 1e-5);
        Assert.Equal(SessionLogits(model.WithTaps(taps), Ids), onTheFly);
    }

    [Fact]
    public void Points_follow_the_placement_and_unknown_ones_are_rejected()
    {
        var pre = GptTaps.Points(Small).Select(p => p.ToString()).ToList();
        Assert.Equal(2 * 14 + 4, pre.Count);
        Assert.Equal(["h.0:input", "h.0.ln_1:input", "h.0.ln_1:output", "h.0.attn.c_attn:input"], pre.Take(4));
        Assert.Equal(["ln_f:input", "ln_f:output", "lm_head:input", "lm_head:output"], pre.TakeLast(4));
        var post = GptTaps.Points(Small with { Placement = NormPlacement.PostLN }).Select(p => p.ToString()).ToList();
        Assert.True(post.IndexOf("h.0.attn.c_proj:output") < post.IndexOf("h.0.ln_1:input"));
        Assert.DoesNotContain("ln_f:input", post);
        Assert.DoesNotContain(GptTaps.Points(Small with { Norm = NormKind.None }), p => p.Module.Contains("ln_"));

        var model = RandomModel(Small);
        Assert.Contains("no tap point h.2.ln_1:input", Assert.Throws<ArgumentException>(() => model.WithTaps(new GptTaps().OnInput("h.2.ln_1", _ => { }))).Message);
        var postModel = RandomModel(Small with { Placement = NormPlacement.PostLN });
        Assert.Throws<ArgumentException>(() => postModel.WithTaps(new GptTaps().OnOutput("ln_f", _ => { })));
        Assert.Equal("point", Assert.Throws<ArgumentException>(() => new GptTaps().OnInput("h.0.attn", _ => { })).ParamName);
        Assert.Equal("module", Assert.Throws<ArgumentException>(() => new GptTaps().ReplaceLinear("h.0.ln_1", (_, _, _, _) => { })).ParamName);
        Assert.Throws<ArgumentException>(() => new GptTaps().ReplaceLinear("lm_head", (_, _, _, _) => { }).ReplaceLinear("lm_head", (_, _, _, _) => { }));
        Assert.Throws<ArgumentException>(() => model.Linear("h.0.ln_1"));
        Assert.Equal(TapPoint.Input("h.0.mlp.c_fc"), TapPoint.Parse("h.0.mlp.c_fc:input"));
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => TapPoint.Parse("h.0.mlp.c_fc")).ParamName);
    }

    [Fact]
    public void Handlers_at_one_point_run_in_the_order_added()
    {
        var model = RandomModel(Small);
        var order = new List<string>();
        var taps = new GptTaps()
            .OnOutput("h.0.ln_2", _ => order.Add("first"))
            .OnOutput("h.0.ln_2", a => { order.Add("second"); a.Values.Clear(); })
            .OnOutput("h.0.ln_2", a => order.Add(a.Values.ToArray().All(v => v == 0) ? "third sees zeros" : "third sees values"));
        model.WithTaps(taps).Logits([1]);
        Assert.Equal(["first", "second", "third sees zeros"], order);
    }

    [Fact]
    public void BatchNorm_in_train_mode_lets_a_token_see_later_tokens_and_eval_mode_does_not()
    {
        // Question 5: batch statistics over (batch, time) mix every position into each token's normalization.
        var model = RandomModel(Small with { Norm = NormKind.BatchNorm });
        int[] changed = [3, 1, 4, 7, 7, 7];
        var trainA = model.Logits(Ids, ForwardMode.Train);
        var trainB = model.Logits(changed, ForwardMode.Train);
        var evalA = model.Logits(Ids);
        var evalB = model.Logits(changed);
        double leak = 0;
        for (int v = 0; v < 11; v++)
        {
            Assert.Equal(evalA[0, v], evalB[0, v]);      // eval: position 0 never sees positions 3 … 5
            leak = Math.Max(leak, Math.Abs(trainA[0, v] - trainB[0, v]));
        }
        Assert.True(leak > 1e-3, $"train-mode logits at position 0 moved by only {leak}");
        Assert.Equal(model.Logits(Ids, ForwardMode.Train), trainA); // deterministic, and the running statistics are not updated
        Assert.Equal(evalA, model.Logits(Ids));
        var single = Assert.Throws<InvalidOperationException>(() => model.Logits([1], ForwardMode.Train));
        Assert.Contains("more than one row", single.Message);
        // A LayerNorm model ignores the mode.
        var layerNorm = RandomModel(Small);
        Assert.Equal(layerNorm.Logits(Ids), layerNorm.Logits(Ids, ForwardMode.Train));
    }
}
