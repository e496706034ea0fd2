using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Retrieval;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Retrieval;

[TestClass]
public sealed class RokTests
{
    internal static readonly RokOptions Small = new() { EmbeddingDim = 8, RepresentationDim = 16, TeacherLayers = [32], EncoderLayers = [32], BatchSize = 256, Retrieval = new() { Neighbours = 8 } };

    /// <summary>ROK trained once on the tiny world's super-domain, all days but the last.</summary>
    internal static readonly Lazy<RokTraining> Trained = new(() => new RokTrainer(Small).Fit(TestModels.TrainingRows));

    private static ImpressionBatch Holdout()
    {
        var rows = new ImpressionBatch();
        foreach (var b in TestModels.HoldoutRows()) for (int r = 0; r < b.Count; r++) rows.AddRow(b, r);
        return rows;
    }

    [TestMethod]
    public void Teacher_learns_clicks_and_the_encoder_reconstruction_error_falls()
    {
        var training = Trained.Value;
        var holdout = Holdout();
        var teacherAuc = RocAuc.Compute(training.Teacher.Predict(holdout), holdout.Click);
        Assert.IsGreaterThan(0.55, teacherAuc, "the retrieval teacher must rank clicks above chance on unseen days");

        var errors = training.Model.History.ReconstructionErrors;
        Assert.IsGreaterThan(6, errors.Count);
        double first = errors.Take(3).Average(), last = errors.TakeLast(3).Average();
        Assert.IsLessThan(first, last, $"reconstruction error should fall: first windows {first:F5}, last {last:F5}");

        // On unseen rows the trained encoder is much closer to the teacher than the same encoder untrained.
        var target = training.Teacher.Represent(holdout);
        double trained = Mse(target, training.Model.Compute(holdout).Instance);
        using var untrained = new RokModel(Small, training.Model.Vocabularies,
            KEEP.MLNet.Layers.SeededInitialisation.Create(Small.Seed + 1, () => new RokKnowledgeBase(training.Model.Vocabularies, Small)), new RokHistory());
        double initial = Mse(target, untrained.Compute(holdout).Instance);
        Assert.IsLessThan(0.5 * initial, trained, $"held-out reconstruction MSE {trained:F5}, untrained {initial:F5}");
    }

    private static double Mse(float[] a, float[] b) => a.Zip(b).Average(p => Math.Pow(p.First - p.Second, 2));

    [TestMethod]
    public void ROK_trained_on_Fit_takes_the_MLContexts_seed_once_and_an_explicit_seed_wins()
    {
        int Expected(int contextSeed) => ((Microsoft.ML.Runtime.IHostEnvironment)new MLContext(contextSeed)).Register("RokKnowledge").Rand.Next();
        var rows = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], historyLength: 50);
        var estimator = new MLContext(7).Transforms.RokKnowledge(new RokKnowledgeOptions { Training = Small });
        using var first = estimator.Fit(rows);
        using var second = estimator.Fit(rows);
        Assert.AreEqual(Expected(7), first.Model.Options.Seed);
        Assert.AreEqual(Expected(7), second.Model.Options.Seed, "drawn when the estimator was made, not at each Fit");
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(first.Model.Compute(batch).Instance, second.Model.Compute(batch).Instance, "same seed, same rows: the same knowledge base");
        using var seeded = new MLContext(7).Transforms.RokKnowledge(new RokKnowledgeOptions { Training = Small, Seed = 3 }).Fit(rows);
        Assert.AreEqual(3, seeded.Model.Options.Seed);
    }

    [TestMethod]
    public void Checkpoint_round_trip_gives_identical_knowledge()
    {
        var model = Trained.Value.Model;
        string path = Path.Combine(TestWorlds.TempFolder("rok"), "rok.keep");
        model.Save(path);
        using var loaded = RokModel.Load(path);
        var rows = Holdout();
        var (a, b) = (model.Compute(rows), loaded.Compute(rows));
        CollectionAssert.AreEqual(a.Instance, b.Instance);
        CollectionAssert.AreEqual(a.Fields, b.Fields);
        Assert.AreEqual(model.History.ReconstructionErrors.Count, loaded.History.ReconstructionErrors.Count);
    }

    [TestMethod]
    public void Transform_saved_in_a_zip_reloads_in_a_fresh_context_with_the_same_columns()
    {
        var ml = new MLContext(1);
        var view = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        using var transformer = ml.Transforms.RokKnowledge(Trained.Value.Model).Fit(view);
        string zip = Path.Combine(TestWorlds.TempFolder("rok-zip"), "rok.zip");
        ml.Model.Save(transformer, view.Schema, zip);

        var fresh = new MLContext(2);
        var loaded = fresh.Model.Load(zip, out _);
        foreach (string column in new[] { "ROK", "ROK_fields" })
        {
            var batched = transformer.Transform(view).GetColumn<float[]>(column).Take(500).ToArray();
            var reloaded = loaded.Transform(view).GetColumn<float[]>(column).Take(500).ToArray();
            Assert.HasCount(batched.Length, reloaded);
            double max = batched.Zip(reloaded).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
            Assert.IsLessThan(1e-4, max, column);
        }
        Assert.AreEqual(Small.RepresentationDim, Width(transformer.GetOutputSchema(view.Schema), "ROK"));
        Assert.AreEqual(4 * Small.EmbeddingDim, Width(transformer.GetOutputSchema(view.Schema), "ROK_fields"));
    }

    [TestMethod]
    public void KEEP_DNN_with_KEEP_and_ROK_knowledge_saves_and_reloads_with_the_same_scores()
    {
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], 50);
        var test = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        var knowledge = new CombinedKnowledge(new ExactKnowledge(TestModels.TinyModel), new RokKnowledge(Trained.Value.Model, RokKnowledgeKinds.Both));
        Assert.AreEqual(288 + Small.RepresentationDim + 4 * Small.EmbeddingDim, knowledge.Width);
        var options = new KeepDnnOptions { Layers = [64, 32], AttentionLayers = [16], PluginHidden = [32], BatchSize = 256 };
        using var model = ml.BinaryClassification.Trainers.KeepDnn(options, knowledge).Fit(train);
        string zip = Path.Combine(TestWorlds.TempFolder("keep-rok-dnn"), "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = KeepModel.Load(new MLContext(2), zip, out _);
        var expected = model.Transform(test).GetColumn<float>("Probability").ToArray();
        var actual = loaded.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.HasCount(expected.Length, actual);
        Assert.IsLessThan(1e-4, expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)));

        // The zip also carries the DNN checkpoint with both knowledge models, so it can be continued.
        string withCheckpoint = Path.Combine(Path.GetDirectoryName(zip)!, "with-checkpoint.zip");
        KeepDnnModelFile.Save(ml, model, train.Schema, withCheckpoint);
        using var restored = KeepDnnModelFile.LoadCheckpoint(withCheckpoint);
        var parts = KnowledgeParts.Of(restored.Knowledge);
        Assert.HasCount(2, parts);
        Assert.AreEqual(KnowledgeKinds.All, ((ExactKnowledge)parts[0]).Kinds);
        Assert.AreEqual(RokKnowledgeKinds.Both, ((RokKnowledge)parts[1]).Kinds);
        var rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(model.Model.Predict(rows), restored.Predict(rows), "the checkpoint restores exactly the same DNN and knowledge");
        var continued = new KeepDnnTrainer(options).Continue(restored, () => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]));
        Assert.IsGreaterThan(restored.Losses.Count, continued.Losses.Count); // continued shares restored's network and models: disposed with it
    }

    [TestMethod]
    public void ROK_plugs_into_an_MLNet_trainer_through_the_plugin_estimator()
    {
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], 50);
        var test = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        var trainer = ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Click", numberOfTrees: 20);
        var pipeline = BaseFeatures.Estimator(ml, 10).Append(ml.BinaryClassification.Trainers.KeepPlugin(trainer, new RokKnowledgeOptions { Model = Trained.Value.Model }));
        var model = pipeline.Fit(train);
        var features = Width(model.Transform(test).Schema, "Features");
        var baseFeatures = Width(BaseFeatures.Estimator(ml, 10).Fit(train).Transform(test).Schema, "Features");
        Assert.AreEqual(baseFeatures + Small.RepresentationDim + 4 * Small.EmbeddingDim, features);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), "Click");
        Assert.IsGreaterThan(0.5, metrics.AreaUnderRocCurve);
    }

    [TestMethod]
    public void KEEP_and_ROK_plug_into_FastTree_side_by_side_and_the_zip_reloads_with_the_same_scores()
    {
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], 50);
        var test = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
        var rok = new RokKnowledgeOptions { Model = Trained.Value.Model, Emit = RokKnowledgeKinds.Fields };
        var pipeline = DownstreamPipelines.Create(ml, "fasttree", "Click", seed: 3, TestModels.TinyModel, hashBits: 10, trees: 20, rok: rok);
        var model = pipeline.Fit(train);

        var baseFeatures = Width(BaseFeatures.Estimator(ml, 10).Fit(train).Transform(test).Schema, "Features");
        var keepOnly = DownstreamPipelines.Create(ml, "fasttree", "Click", seed: 3, TestModels.TinyModel, hashBits: 10, trees: 20).Fit(train);
        int keepWidth = Width(keepOnly.Transform(test).Schema, "Features") - baseFeatures;
        Assert.IsGreaterThan(0, keepWidth);
        Assert.AreEqual(baseFeatures + keepWidth + 4 * Small.EmbeddingDim, Width(model.Transform(test).Schema, "Features"), "KEEP's and ROK's columns are both appended");

        string zip = Path.Combine(TestWorlds.TempFolder("keep-rok-fasttree"), "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = new MLContext(2).Model.Load(zip, out _);
        var expected = model.Transform(test).GetColumn<float>("Probability").ToArray();
        var actual = loaded.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.HasCount(expected.Length, actual);
        Assert.IsLessThan(1e-4, expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)));
        Assert.IsGreaterThan(0.5, ml.BinaryClassification.Evaluate(model.Transform(test), "Click").AreaUnderRocCurve);
    }

    [TestMethod]
    public void The_model_search_tries_every_trainer_with_KEEP_ROK_both_and_neither()
    {
        var options = new KeepExperimentOptions
        {
            TrainingFile = TestWorlds.Tiny.Files[DatasetSplit.SubTrain],
            Knowledge = TestModels.TinyModel,
            Rok = Trained.Value.Model,
            Trainers = ["sdca"],
            Time = TimeSpan.FromHours(1),
        };
        var found = new KeepExperiment(options).Run();
        (found.BestModel as IDisposable)?.Dispose();
        CollectionAssert.AreEquivalent(new[] { "KEEP + ROK", "KEEP", "ROK", "none" }, found.Leaderboard.Select(c => c.Knowledge).ToList());
        CollectionAssert.AreEqual(found.Leaderboard.OrderByDescending(c => c.Gauc).ToList(), found.Leaderboard.ToList(), "best first");
        Assert.IsTrue(found.Leaderboard.All(c => c.Gauc is > 0 and < 1));
    }

    [TestMethod]
    public void ROK_columns_that_clash_with_KEEP_columns_are_refused_by_name()
    {
        var ml = new MLContext(1);
        var rok = new RokKnowledgeOptions { Model = Trained.Value.Model, Emit = RokKnowledgeKinds.Instance, InstanceColumnName = "K_ui" };
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.Trainers.KeepPlugin(
            ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Click"), TestModels.TinyModel, new KnowledgePluginOptions { Rok = rok }));
        StringAssert.Contains(e.Message, "'K_ui'");
    }

    private static int Width(DataViewSchema schema, string column) => ((VectorDataViewType)schema[column].Type).Size;
}
