using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Knowledge;

[TestClass]
public sealed class KnowledgeEstimatorTests
{
    private static ImpressionDataView SubTest() => ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], historyLength: 50);

    [TestMethod]
    public void Output_schema_is_known_before_fitting()
    {
        var ml = new MLContext(1);
        var estimator = ml.Transforms.KeepKnowledge(TestModels.TinyModel);
        var shape = estimator.GetOutputSchema(Shapes.Of(SubTest().Schema));
        var k = shape.Single(c => c.Name == "K_ui");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, k.Kind);
        Assert.AreEqual(NumberDataViewType.Single, k.ItemType);
        Assert.IsTrue(shape.Any(c => c.Name == "K_u") && shape.Any(c => c.Name == "K_i") && shape.Any(c => c.Name == "UserId"));

        var fitted = estimator.Fit(SubTest());
        var schema = fitted.GetOutputSchema(SubTest().Schema);
        Assert.AreEqual(192, ((VectorDataViewType)schema["K_ui"].Type).Size);
        Assert.AreEqual(48, ((VectorDataViewType)schema["K_u"].Type).Size);
        Assert.AreEqual(48, ((VectorDataViewType)schema["K_i"].Type).Size);
    }

    [TestMethod]
    public void Missing_or_mistyped_columns_are_named_before_any_work()
    {
        var ml = new MLContext(1);
        var view = ml.Transforms.DropColumns(ImpressionColumns.ShopId).Fit(SubTest()).Transform(SubTest());
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.KeepKnowledge(TestModels.TinyModel).GetOutputSchema(Shapes.Of(view.Schema)));
        StringAssert.Contains(e.Message, "'ShopId' not found");
        var variable = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest]);
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.KeepKnowledge(TestModels.TinyModel).Fit(variable));
        StringAssert.Contains(e.Message, "exactly 50 Int32");
    }

    [TestMethod]
    public void Batched_transform_equals_an_independent_computation_and_passes_columns_through()
    {
        var ml = new MLContext(1);
        var data = SubTest();
        var transformed = ml.Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Model = TestModels.TinyModel, BlockSize = 300 }).Fit(data).Transform(data);
        var k = transformed.GetColumn<float[]>("K_ui").ToArray();
        var users = transformed.GetColumn<int>("UserId").ToArray();
        var batches = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).ToList();
        Assert.HasCount(batches.Sum(b => b.Count), k);
        int row = 0;
        foreach (var batch in batches)
        {
            var expected = Training.NaiveKnowledge.Interaction(TestModels.TinyModel, batch);
            for (int r = 0; r < batch.Count; r++, row++)
            {
                Assert.AreEqual(batch.UserId[r], users[row]);
                for (int j = 0; j < 192; j++) Assert.AreEqual(expected[r * 192 + j], k[row][j], 1e-5f, $"row {row}, K_ui[{j}]");
            }
        }
    }

    [TestMethod]
    public void Emit_selects_the_columns()
    {
        var ml = new MLContext(1);
        var schema = ml.Transforms.KeepKnowledge(TestModels.TinyModel, KnowledgeKinds.User | KnowledgeKinds.Interaction).Fit(SubTest()).Transform(SubTest()).Schema;
        Assert.IsNotNull(schema.GetColumnOrNull("K_u"));
        Assert.IsNull(schema.GetColumnOrNull("K_i"));
        Assert.IsNotNull(schema.GetColumnOrNull("K_ui"));
    }

    [TestMethod]
    public void PretrainedModel_Load_opens_the_knowledge_model_file_keep_pretrain_writes()
    {
        using var loaded = PretrainedModel.Load(TestModels.KnowledgeZip.Value);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(TestModels.TinyModel.Extract(batch, 0, 20).Interaction, loaded.Extract(batch, 0, 20).Interaction);
        var options = PretrainedModel.ReadOptions(TestModels.KnowledgeZip.Value);
        Assert.AreEqual(TestModels.TinyModel.Options.Seed, options.Seed);
        CollectionAssert.AreEqual(TestModels.TinyModel.Options.TowerLayers.ToArray(), options.TowerLayers.ToArray());
    }

    [TestMethod]
    public void A_prediction_engine_returns_knowledge_sized_by_the_model_not_by_the_papers_widths()
    {
        var options = new PretrainingOptions { UserEmbeddingDim = 8, ItemEmbeddingDim = 4, TowerLayers = [16, 12], Tasks = [PretrainingTask.Click, PretrainingTask.Cart], AttentionLayers = [8], BatchSize = 500 };
        using var model = new KeepPretrainer(options).Fit(() => TestModels.TrainingRows().Take(2));
        var ml = new MLContext(1);
        var transformer = ml.Transforms.KeepKnowledge(model).Fit(SubTest());
        using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KnowledgeOutput>(transformer);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var expected = model.Extract(batch, 0, 3);
        for (int r = 0; r < 3; r++)
        {
            var output = engine.Predict(ImpressionInput.From(batch, r));
            Assert.HasCount(8, output.UserKnowledge);
            Assert.HasCount(3 * 4, output.ItemKnowledge);
            Assert.HasCount(2 * 12, output.InteractionKnowledge);
            for (int j = 0; j < 24; j++) Assert.AreEqual(expected.Interaction[r * 24 + j], output.InteractionKnowledge[j], 1e-5f);
        }
    }

    [TestMethod]
    public void Saved_zip_loads_in_a_fresh_context_and_predicts_like_the_network()
    {
        var ml = new MLContext(1);
        var data = SubTest();
        var transformer = ml.Transforms.KeepKnowledge(TestModels.TinyModel).Fit(data);
        string path = Path.Combine(TestWorlds.TempFolder("zip"), "knowledge.zip");
        ml.Model.Save(transformer, data.Schema, path);

        var fresh = new MLContext(2);
        var loaded = fresh.Model.Load(path, out var inputSchema);
        Assert.AreEqual(50, ((VectorDataViewType)inputSchema[ImpressionColumns.HistoryItemIds].Type).Size);
        var engine = fresh.Model.CreatePredictionEngine<ImpressionInput, KnowledgeOutput>(loaded);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var expected = TestModels.TinyModel.Extract(batch, 0, 50);
        for (int r = 0; r < 50; r++)
        {
            var output = engine.Predict(ImpressionInput.From(batch, r));
            for (int j = 0; j < 192; j++) Assert.AreEqual(expected.Interaction[r * 192 + j], output.InteractionKnowledge[j], 1e-4f);
            for (int j = 0; j < 48; j++) Assert.AreEqual(expected.User[r * 48 + j], output.UserKnowledge[j], 1e-4f);
        }
        var viaLoaded = loaded.Transform(data).GetColumn<float[]>("K_ui").Take(20).ToArray();
        for (int r = 0; r < 20; r++)
            for (int j = 0; j < 192; j++) Assert.AreEqual(expected.Interaction[r * 192 + j], viaLoaded[r][j], 1e-4f);
    }

    [TestMethod]
    public void Pretraining_on_Fit_takes_the_MLContexts_seed_and_log_and_stops_on_the_options_token()
    {
        int Expected(int contextSeed) => ((Microsoft.ML.Runtime.IHostEnvironment)new MLContext(contextSeed)).Register("KeepKnowledge").Rand.Next();
        var rows = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], historyLength: 50);
        var ml = new MLContext(5);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("KeepKnowledge", StringComparison.Ordinal)) log.Enqueue(e.Message); };
        using var fitted = ml.Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Pretraining = TestModels.Options }).Fit(rows);
        Assert.AreEqual(Expected(5), fitted.Model.Options.Seed);
        // An independent pre-training with that seed on the same rows: the same network, bit for bit.
        using var reference = new KeepPretrainer(TestModels.Options with { Seed = Expected(5) })
            .Fit(() => DataViewImpressions.Read(rows, new ImpressionColumnNames(), withLabels: true));
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(reference.Extract(batch).Interaction, fitted.Model.Extract(batch).Interaction);
        Assert.IsTrue(log.Any(m => m.Contains($"seed {Expected(5)}", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.Contains("Pre-trained on", StringComparison.Ordinal)), string.Join("\n", log));

        // The seed is drawn once, when the estimator is made: fitting it twice gives the same model.
        var twice = new MLContext(5).Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Pretraining = TestModels.Options });
        using (var first = twice.Fit(rows))
        using (var second = twice.Fit(rows))
        {
            Assert.AreEqual(Expected(5), second.Model.Options.Seed);
            CollectionAssert.AreEqual(first.Model.Extract(batch).Interaction, second.Model.Extract(batch).Interaction);
        }

        // An explicit seed wins over the context's.
        using var seeded = new MLContext(5).Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Pretraining = TestModels.Options, Seed = 9 }).Fit(rows);
        Assert.AreEqual(9, seeded.Model.Options.Seed);

        // The options' token stops the pre-training.
        var estimator = ml.Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Pretraining = TestModels.Options, Cancellation = new CancellationToken(canceled: true) });
        Assert.Throws<OperationCanceledException>(() => estimator.Fit(rows));
    }
}
