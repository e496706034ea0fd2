using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class KeepDnnTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [64, 32], AttentionLayers = [16], PluginHidden = [32], BatchSize = 256, Epochs = 2 };

    private static List<ImpressionBatch> SubTrain() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).ToList();

    private static readonly Lazy<KeepDnn> Base = new(() => new KeepDnnTrainer(Small).Fit(SubTrain));

    [TestMethod]
    public void Plugin_output_is_exactly_zero_before_training()
    {
        // Under the seeding lock and with a generator of its own: other tests seed the global generator in parallel.
        using var plugin = KEEP.MLNet.Layers.SeededInitialisation.Create(1, () => new KnowledgePlugin(288, [32], 64));
        using var scope = NewDisposeScope();
        var output = plugin.forward(randn(10, 288, generator: new Generator().manual_seed(1)));
        Assert.AreEqual(0f, output.abs().max().item<float>());
    }

    [TestMethod]
    public void Warm_started_model_with_a_fresh_plugin_predicts_exactly_as_before()
    {
        var baseModel = Base.Value;
        using var network = KEEP.MLNet.Layers.SeededInitialisation.Create(Small.Seed, () => new KeepDnnModel(baseModel.Vocabularies, Small, ExactKnowledge.WidthOf(TestModels.TinyModel, Small.Knowledge)));
        network.CopySharedParameters(baseModel.Network);
        using var plugged = new KeepDnn(Small, baseModel.Vocabularies, network, new ExactKnowledge(TestModels.TinyModel, Small.Knowledge), []);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(baseModel.Predict(batch), plugged.Predict(batch));
    }

    [TestMethod]
    public void Training_with_knowledge_moves_the_plugin_and_lowers_the_loss()
    {
        // Control: the same warm start and the same extra training without knowledge. Against it, the plug-in
        // (which starts at exactly zero) must have moved and the plugged model must fit the rows better.
        var baseModel = Base.Value;
        using var plugged = new KeepDnnTrainer(Small).Fit(SubTrain, TestModels.TinyModel, warmStart: baseModel);
        using var control = new KeepDnnTrainer(Small).Fit(SubTrain, (KEEP.MLNet.Pretraining.PretrainedModel?)null, warmStart: baseModel);
        var output = plugged.Network.Parts.Plugin!.Layers.Output;
        Assert.IsGreaterThan(0f, output.weight!.abs().max().item<float>(), "the plug-in's output layer left zero");
        var rows = SubTrain();
        double LogLoss(KeepDnn model)
        {
            double sum = 0;
            long n = 0;
            foreach (var batch in rows)
            {
                var p = model.Predict(batch);
                for (int r = 0; r < batch.Count; r++, n++) sum -= Math.Log(Math.Clamp(batch.Click[r] ? p[r] : 1 - p[r], 1e-7, 1));
            }
            return sum / n;
        }
        double withKnowledge = LogLoss(plugged), without = LogLoss(control);
        Assert.IsLessThan(without, withKnowledge, $"log-loss on the training rows: with knowledge {withKnowledge:F4}, without {without:F4}");
        Assert.IsLessThan(baseModel.Losses.Take(2).Average(), baseModel.Losses.TakeLast(2).Average(), "the base model's own loss falls");
    }

    [TestMethod]
    public void Warm_start_from_a_different_architecture_is_refused()
    {
        var other = Small with { Layers = [48, 32] };
        var e = Assert.ThrowsExactly<ArgumentException>(() => new KeepDnnTrainer(other).Fit(SubTrain, warmStart: Base.Value));
        StringAssert.Contains(e.Message, "same architecture");
    }

    [TestMethod]
    public void A_conversion_model_skips_a_block_without_clicked_rows_and_trains_as_without_it()
    {
        // A last day holding three unclicked rows: its only block has nothing a conversion model learns from. Before, its
        // constant loss went to backward() and training died ("element 0 of tensors does not require grad").
        var rows = SubTrain();
        var source = rows[0];
        int[] unclicked = [.. Enumerable.Range(0, source.Count).Where(r => !source.Click[r]).Take(3)];
        int lastDay = rows.Max(b => b.Day.ToArray().Max());
        var extra = new ImpressionBatch(3);
        foreach (int r in unclicked)
            extra.Add(lastDay + 1, source.UserId[r], source.ItemId[r], source.ShopId[r], source.CategoryId[r],
                source.HistoryItemsOf(r), source.HistoryShopsOf(r), source.HistoryCategoriesOf(r), false, false, false);
        var options = Small with { Label = KEEP.MLNet.Pretraining.PretrainingTask.Conversion, Epochs = 1 };
        using var withEmptyDay = new KeepDnnTrainer(options).Fit(() => SubTrain().Append(extra));
        using var without = new KeepDnnTrainer(options).Fit(SubTrain);
        CollectionAssert.AreEqual(without.Losses.ToArray(), withEmptyDay.Losses.ToArray());
        var test = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(without.Predict(test), withEmptyDay.Predict(test));
    }
}

[TestClass]
public sealed class KeepDnnOnnxTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [64, 32], AttentionLayers = [16], PluginHidden = [32], BatchSize = 256, PluginLayer = 1 };

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Onnx_export_of_the_dnn_matches_torchsharp(bool withKnowledge)
    {
        var train = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).ToList();
        using var model = new KeepDnnTrainer(Small).Fit(() => train, withKnowledge ? TestModels.TinyModel : null);
        var rows = new ImpressionBatch(600);
        foreach (var b in ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]))
            for (int r = 0; r < b.Count && rows.Count < 600; r++) rows.AddRow(b, r);
        rows.Add(0, 987_654, 876_543, 765_432, 654_321, [543_210], [432_109], [321_098], false, false, false);

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(KeepDnnOnnxExporter.Export(model, KEEP.MLNet.Tests.Knowledge.KnowledgeOnnxTests.Names));
        var outputs = KEEP.MLNet.Tests.Knowledge.KnowledgeOnnxTests.Run(session, rows, Small.HistoryLength);
        var expected = model.Predict(rows);
        Assert.HasCount(expected.Length, outputs["Probability"]);
        double max = expected.Select((p, i) => Math.Abs(p - outputs["Probability"][i])).Max();
        Assert.IsLessThan(1e-4, max, $"max difference {max}");
        Assert.IsGreaterThan(0.001, expected.Max() - expected.Min(), "the model is not constant");
    }
}
