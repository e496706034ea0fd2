using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class EmbeddedKnowledgeTests
{
    private static ImpressionDataView Load(DatasetSplit split) => ImpressionFile.Load(TestWorlds.Tiny.Files[split], historyLength: 50);

    private static string Published(out string folder)
    {
        folder = TestWorlds.TempFolder("embedded");
        using var store = new FileKnowledgeStore(folder);
        store.Publish("v1", CompressionTests.Compressed.Value.ToTables());
        return "v1";
    }

    [TestMethod]
    [DataRow(CachedKnowledgeLayout.Combined)]
    [DataRow(CachedKnowledgeLayout.Decomposition)]
    [DataRow(CachedKnowledgeLayout.Degeneration)]
    public void Embedded_transform_saves_to_a_zip_that_serves_without_the_store(CachedKnowledgeLayout layout)
    {
        string version = Published(out string folder);
        var ml = new MLContext(1);
        var test = Load(DatasetSplit.SubTest);
        using var fromStore = ml.Transforms.KeepCachedKnowledge(new CachedKnowledgeOptions { Store = folder, Version = version, Layout = layout }).Fit(test);
        using var embedded = ml.Transforms.KeepCachedKnowledge(new CachedKnowledgeOptions { Store = folder, Version = version, Layout = layout, Embed = true }).Fit(test);
        Assert.IsTrue(embedded.IsSelfContained);
        Assert.IsFalse(fromStore.IsSelfContained);
        string zip = Path.Combine(TestWorlds.TempFolder("embedded-zip"), "cached.zip");
        ml.Model.Save(embedded, test.Schema, zip);
        Directory.Delete(folder, recursive: true); // the store is gone: the zip must not need it

        var loaded = new MLContext(2).Model.Load(zip, out _);
        var expected = fromStore.Transform(test).GetColumn<float[]>("K_cached").ToArray();
        var actual = loaded.Transform(test).GetColumn<float[]>("K_cached").ToArray();
        Assert.HasCount(expected.Length, actual);
        for (int r = 0; r < expected.Length; r++) CollectionAssert.AreEqual(expected[r], actual[r], $"row {r}");
        Assert.IsGreaterThan(0, fromStore.Source.Lookups);
    }

    [TestMethod]
    public void KEEP_DNN_with_embedded_knowledge_saves_self_contained_and_unknown_ids_get_zeros()
    {
        var embedded = EmbeddedKnowledge.FromCompressed(CompressionTests.Compressed.Value);
        var ml = new MLContext(1);
        var train = Load(DatasetSplit.SubTrain);
        var options = new KeepDnnOptions { Layers = [64, 32], AttentionLayers = [16], PluginHidden = [32], BatchSize = 256 };
        using var model = ml.BinaryClassification.Trainers.KeepDnn(options, embedded).Fit(train);
        string zip = Path.Combine(TestWorlds.TempFolder("embedded-dnn"), "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = KeepModel.Load(new MLContext(3), zip, out _);

        // Test rows plus rows whose user, item and category no table holds.
        var rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var inputs = Enumerable.Range(0, 200).Select(r => ImpressionInput.From(rows, r)).ToList();
        inputs.Add(new ImpressionInput { UserId = 99_999_999, ItemId = 88_888_888, ShopId = 1, CategoryId = 77_777 });
        var view = ml.Data.LoadFromEnumerable(inputs);
        var expected = model.Transform(view).GetColumn<float>("Probability").ToArray();
        var actual = loaded.Transform(view).GetColumn<float>("Probability").ToArray();
        Assert.IsLessThan(1e-4, expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)));
        var unknown = new ImpressionBatch();
        unknown.Add(0, 99_999_999, 88_888_888, 1, 77_777, [], [], [], false, false, false);
        Assert.IsTrue(embedded.Compute(unknown).All(v => v == 0), "ids the tables lack contribute zeros");
    }

    [TestMethod]
    public void A_catalogue_over_the_limit_is_refused_with_its_size()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => EmbeddedKnowledge.FromCompressed(CompressionTests.Compressed.Value, maxEntries: 100));
        StringAssert.Contains(e.Message, "more than the 100 allowed");
    }
}
