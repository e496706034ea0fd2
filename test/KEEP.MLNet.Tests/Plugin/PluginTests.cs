using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class PluginTests
{
    private static ImpressionDataView Load(DatasetSplit split) => ImpressionFile.Load(TestWorlds.Tiny.Files[split], historyLength: 50);

    private static (IDataView Train, IDataView Test) Featurized(MLContext ml)
    {
        var featurizer = BaseFeatures.Estimator(ml, hashBits: 10).Fit(Load(DatasetSplit.SubTrain));
        return (featurizer.Transform(Load(DatasetSplit.SubTrain)), featurizer.Transform(Load(DatasetSplit.SubTest)));
    }

    private static Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer FastTree(MLContext ml)
        => ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options { LabelColumnName = ImpressionColumns.Click, NumberOfTrees = 60, NumberOfLeaves = 16, MinimumExampleCountPerLeaf = 20, Seed = 1 });

    [TestMethod]
    public void Plugged_FastTree_splits_on_the_knowledge_and_the_knowledge_alone_ranks_held_out_rows()
    {
        // Quality comparisons (3 seeds, the default world) belong to the experiment harness; here: the
        // plugged trees use the knowledge slots appended after the base features, and knowledge-only
        // features carry signal on held-out rows.
        var ml = new MLContext(1);
        var (train, test) = Featurized(ml);
        int baseSlots = ((VectorDataViewType)train.Schema["Features"].Type).Size;
        var plugged = ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), TestModels.TinyModel).Fit(train);
        var trees = (BinaryPredictionTransformer<Microsoft.ML.Calibrators.CalibratedModelParametersBase<Microsoft.ML.Trainers.FastTree.FastTreeBinaryModelParameters, Microsoft.ML.Calibrators.PlattCalibrator>>)plugged.LastTransformer;
        var gains = default(VBuffer<float>);
        trees.Model.SubModel.GetFeatureWeights(ref gains);
        var dense = gains.DenseValues().ToArray();
        Assert.AreEqual(baseSlots + 48 + 48 + 192, dense.Length, "base features, then K_u, K_i, K_ui");
        Assert.IsGreaterThan(0.0, dense.Skip(baseSlots).Sum(), "the trees split on knowledge slots");
        var knowledgeOnly = ml.Transforms.CopyColumns("Features", "K_ui").Append(FastTree(ml));
        var withKnowledge = ml.Transforms.KeepKnowledge(TestModels.TinyModel);
        var scored = knowledgeOnly.Fit(withKnowledge.Fit(train).Transform(train)).Transform(withKnowledge.Fit(test).Transform(test));
        Assert.IsGreaterThan(0.55, ml.BinaryClassification.EvaluateGauc(scored, labelColumnName: ImpressionColumns.Click).Auc, "K_ui alone ranks unseen rows better than chance");
    }

    [TestMethod]
    public void A_linear_trainer_reads_the_knowledge_from_a_cache_scaled_and_a_tree_reads_it_as_it_is()
    {
        var ml = new MLContext(1);
        var (train, test) = Featurized(ml);
        var counted = new CountingDataView(train);
        var sdca = ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: ImpressionColumns.Click, maximumNumberOfIterations: 50);
        var linear = ml.BinaryClassification.Trainers.KeepPlugin(sdca, TestModels.TinyModel).Fit(counted);
        // Knowledge fit, cache fill, SDCA's own set-up: a handful of reads, not one per SDCA pass (up to 50).
        Assert.IsLessThan(8, counted.Cursors, $"the input (and the knowledge network over it) was read {counted.Cursors} times");
        Assert.IsTrue(linear.Any(t => t is Microsoft.ML.Transforms.NormalizingTransformer), "SDCA asks for normalized features");
        var tree = ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), TestModels.TinyModel).Fit(train);
        Assert.IsFalse(tree.Any(t => t is Microsoft.ML.Transforms.NormalizingTransformer), "trees get the knowledge unscaled");

        // Scaled features stay in [-1, 1]; the saved chain reloads and scores the same.
        var features = linear.Transform(test).GetColumn<VBuffer<float>>("Features").ToList();
        Assert.IsTrue(features.All(f => f.DenseValues().All(v => v is >= -1.0001f and <= 1.0001f)));
        string path = Path.Combine(TestWorlds.TempFolder("plugged-sdca"), "sdca.zip");
        ml.Model.Save(linear, train.Schema, path);
        var reloaded = new MLContext(2).Model.Load(path, out _).Transform(test).GetColumn<float>("Probability").ToArray();
        var expected = linear.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.IsLessThan(1e-4, expected.Zip(reloaded).Max(p => Math.Abs(p.First - p.Second)));
    }

    [TestMethod]
    public void Plugged_features_grow_by_the_chosen_knowledge_and_the_fit_is_in_the_contexts_log()
    {
        var ml = new MLContext(1);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("KeepPlugin", StringComparison.Ordinal)) log.Enqueue(e.Message); };
        var (train, _) = Featurized(ml);
        int baseWidth = ((VectorDataViewType)train.Schema["Features"].Type).Size;
        var options = new KnowledgePluginOptions { Knowledge = KnowledgeKinds.User | KnowledgeKinds.Interaction, InteractionTasks = [PretrainingTask.Click] };
        var chain = ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), TestModels.TinyModel, options).Fit(train);
        var features = chain.Transform(train).Schema["Features"].Type as VectorDataViewType;
        Assert.AreEqual(baseWidth + 48 + 64, features!.Size);
        Assert.IsTrue(log.Any(m => m.Contains("K_u, K_ui", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.Contains("FastTreeBinaryTrainer on 'Features'", StringComparison.Ordinal)), string.Join("\n", log));
    }

    [TestMethod]
    public void Plugged_FastTree_zip_loads_in_a_fresh_context_and_predicts_identically()
    {
        var ml = new MLContext(1);
        var (train, test) = Featurized(ml);
        var chain = ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), TestModels.TinyModel).Fit(train);
        string path = Path.Combine(TestWorlds.TempFolder("plugged"), "fasttree.zip");
        ml.Model.Save(chain, train.Schema, path);
        var loaded = new MLContext(2).Model.Load(path, out _);
        var before = chain.Transform(test).GetColumn<float>("Score").ToArray();
        var after = loaded.Transform(test).GetColumn<float>("Score").ToArray();
        Assert.HasCount(before.Length, after);
        for (int i = 0; i < before.Length; i++) Assert.AreEqual(before[i], after[i], 1e-4f, $"row {i}");
    }

    [TestMethod]
    public void Plugged_FastTree_pipeline_zip_predicts_the_same_in_another_process()
    {
        var ml = new MLContext(1);
        var train = Load(DatasetSplit.SubTrain);
        var pipeline = BaseFeatures.Estimator(ml, hashBits: 10).Append(ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), TestModels.TinyModel));
        var model = pipeline.Fit(train);
        string folder = TestWorlds.TempFolder("plugged-fresh");
        string zip = Path.Combine(folder, "fasttree.zip"), scores = Path.Combine(folder, "scores.parquet");
        ml.Model.Save(model, train.Schema, zip);
        var (code, output) = Cli.CliRunner.RunInNewProcess("predict", "--model", zip, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--out", scores, "--quiet");
        Assert.AreEqual(0, code, output);
        var expected = model.Transform(Load(DatasetSplit.SubTest)).GetColumn<float>("Probability").ToArray();
        var actual = Knowledge.FreshProcessTests.ReadFloats(scores, "Probability");
        Assert.HasCount(expected.Length, actual);
        double max = expected.Select((p, i) => Math.Abs(p - actual[i])).Max();
        Assert.IsLessThan(1e-4, max, $"max difference {max}");
    }

    [TestMethod]
    public void Unknown_interaction_task_is_named()
    {
        var ml = new MLContext(1);
        var (train, _) = Featurized(ml);
        using var clickOnly = new KeepPretrainer(TestModels.Options with { Tasks = [PretrainingTask.Click] }).Fit(() => TestModels.TrainingRows().Take(1));
        var options = new KnowledgePluginOptions { InteractionTasks = [PretrainingTask.Cart] };
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.KeepPlugin(FastTree(ml), clickOnly, options).Fit(train));
        StringAssert.Contains(e.Message, "no Cart tower");
    }
}
