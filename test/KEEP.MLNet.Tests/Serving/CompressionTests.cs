using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using KEEP.MLNet.Serving.Compression;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class CompressionTests
{
    private static readonly KnowledgeCompressionOptions Quick = new() { TrainingRows = 6_000, Epochs = 12, BatchSize = 128, Hidden = 64 };

    private static IEnumerable<ImpressionBatch> Served() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).Concat(ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]));

    internal static readonly Lazy<CompressedKnowledge> Compressed = new(() =>
        new KnowledgeCompressor(Quick).Fit(TestModels.TinyModel, TestModels.TrainingRows, Served));

    [TestMethod]
    public void Student_fits_better_than_the_mean_and_tables_cover_every_served_entity()
    {
        var compressed = Compressed.Value;
        Assert.IsGreaterThan(0.0, compressed.Fit.DecompositionHoldoutR2, $"{compressed.Fit}");
        Assert.IsGreaterThanOrEqualTo(compressed.Fit.DecompositionHoldoutR2 - 0.05, compressed.Fit.DecompositionTrainR2, $"{compressed.Fit}");
        var rows = Served().ToList();
        CollectionAssert.AreEquivalent(rows.SelectMany(b => b.UserId.ToArray()).Distinct().Select(u => (long)u).ToArray(), compressed.Users.Ids);
        CollectionAssert.AreEquivalent(rows.SelectMany(b => b.ItemId.ToArray()).Distinct().Select(i => (long)i).ToArray(), compressed.Items.Ids);
        Assert.AreEqual(compressed.Users.Count + compressed.Items.Count + compressed.UserCategories.Count, compressed.Entries);
    }

    [TestMethod]
    public void Cached_knowledge_assembles_Eq6_from_the_store_and_exact_parts_match_the_network()
    {
        var compressed = Compressed.Value;
        using var store = new FileKnowledgeStore(TestWorlds.TempFolder("cached"));
        store.Publish("v1", compressed.ToTables());
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var exact = TestModels.TinyModel.Extract(batch);
        int u = compressed.UserKnowledgeDim, i = compressed.ItemKnowledgeDim, d = compressed.InteractionDim;

        var degeneration = new CachedKnowledge(store, "v1", CachedKnowledgeLayout.Degeneration).Compute(batch);
        var combined = new CachedKnowledge(store, "v1", CachedKnowledgeLayout.Combined);
        var eq6 = combined.Compute(batch);
        Assert.AreEqual(4 * d, combined.Width);
        for (int r = 0; r < batch.Count; r++)
        {
            var row = degeneration.AsSpan(r * (u + i + d), u + i + d);
            for (int k = 0; k < u; k++) Assert.AreEqual(exact.User[r * u + k], row[k], 1e-5f, "K_u from the cache is the network's");
            for (int k = 0; k < i; k++) Assert.AreEqual(exact.Item[r * i + k], row[u + k], 1e-5f, "K_i from the cache is the network's");
            var full = eq6.AsSpan(r * 4 * d, 4 * d);
            for (int k = 0; k < d; k++) Assert.AreEqual(full[k] * full[d + k], full[2 * d + k], 1e-6f, "third block is K̂_u ⊙ K̂_i");
            CollectionAssert.AreEqual(row[(u + i)..].ToArray(), full[(3 * d)..].ToArray(), "K̂_uc is the same in both layouts");
        }
        Assert.AreEqual(0, combined.Misses, "every test user, item and (user, category) is cached");
    }

    [TestMethod]
    public void A_KEEP_DNN_trains_on_cached_knowledge_and_refuses_an_ONNX_export_it_cannot_make()
    {
        using var store = new FileKnowledgeStore(TestWorlds.TempFolder("cached-dnn"));
        store.Publish("v1", Compressed.Value.ToTables());
        var options = new KeepDnnOptions { Layers = [32, 16], AttentionLayers = [8], PluginHidden = [16], BatchSize = 256 };
        var source = new CachedKnowledge(store, "v1");
        using var model = new KeepDnnTrainer(options).Fit(() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]), source);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        Assert.IsTrue(model.Predict(batch).All(p => p is > 0 and < 1));
        Assert.AreEqual(source.Width, model.Network.KnowledgeDim);
        Assert.ThrowsExactly<NotSupportedException>(() => KeepDnnOnnxExporter.Export(model, Knowledge.KnowledgeOnnxTests.Names));
    }
}
