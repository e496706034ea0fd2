using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class CachedKnowledgeTransformTests
{
    private static ImpressionDataView Load(DatasetSplit split) => ImpressionFile.Load(TestWorlds.Tiny.Files[split], historyLength: 50);

    private static string PublishedFileStore()
    {
        string folder = TestWorlds.TempFolder("cached-transform");
        using var store = new FileKnowledgeStore(folder);
        store.Publish("2025-01-01", CompressionTests.Compressed.Value.ToTables());
        return folder;
    }

    [TestMethod]
    public void FastTree_serves_from_the_cache_and_PredictionEngine_agrees_with_batched_scoring()
    {
        var ml = new MLContext(1);
        var options = new CachedKnowledgeOptions { Store = PublishedFileStore(), Version = "2025-01-01" };
        var pipeline = BaseFeatures.Estimator(ml, hashBits: 10)
            .Append(ml.Transforms.KeepCachedKnowledge(options))
            .Append(ml.Transforms.Concatenate("Features", "Features", "K_cached"))
            .Append(ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
                { LabelColumnName = ImpressionColumns.Click, NumberOfTrees = 20, MinimumExampleCountPerLeaf = 20, Seed = 1 }));
        var model = pipeline.Fit(Load(DatasetSplit.SubTrain));
        var scored = model.Transform(Load(DatasetSplit.SubTest));
        Assert.AreEqual(4 * CompressionTests.Compressed.Value.InteractionDim, ((VectorDataViewType)scored.Schema["K_cached"].Type).Size);
        var probabilities = scored.GetColumn<float>("Probability").ToArray();

        using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(model);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        for (int r = 0; r < 5; r++) Assert.AreEqual(probabilities[r], engine.Predict(ImpressionInput.From(batch, r)).Probability, 1e-5f, $"row {r}");
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void A_version_the_store_does_not_have_is_named_at_fit()
    {
        var options = new CachedKnowledgeOptions { Store = PublishedFileStore(), Version = "2030-12-31" };
        var e = Assert.ThrowsExactly<KnowledgeVersionNotFoundException>(() => new MLContext(1).Transforms.KeepCachedKnowledge(options).Fit(Load(DatasetSplit.SubTest)));
        StringAssert.Contains(e.Message, "2030-12-31");
        StringAssert.Contains(e.Message, "2025-01-01");
    }

    [TestMethod]
    [DataRow(StoreFailurePolicy.ZeroKnowledge)]
    [DataRow(StoreFailurePolicy.Throw)]
    public void Redis_going_down_mid_serving_follows_the_policy(StoreFailurePolicy policy)
    {
        using var redis = new RedisServer();
        using (var store = new RedisKnowledgeStore(redis.Configuration)) store.Publish("v1", CompressionTests.Compressed.Value.ToTables());
        var options = new CachedKnowledgeOptions { Store = $"redis://{redis.Configuration}/keep", Version = "v1", OnStoreUnavailable = policy };
        using var transformer = new MLContext(1).Transforms.KeepCachedKnowledge(options).Fit(Load(DatasetSplit.SubTest));
        var before = transformer.Transform(Load(DatasetSplit.SubTest)).GetColumn<VBuffer<float>>("K_cached").First();
        Assert.IsTrue(before.DenseValues().Any(v => v != 0));
        redis.Stop();
        var test = Load(DatasetSplit.SubTest);
        if (policy == StoreFailurePolicy.Throw)
        {
            var e = Assert.Throws<Exception>(() => transformer.Transform(test).GetColumn<VBuffer<float>>("K_cached").ToArray());
            StringAssert.Contains(e.ToString(), "Redis is unavailable");
            return;
        }
        var after = transformer.Transform(test).GetColumn<VBuffer<float>>("K_cached").ToArray();
        Assert.IsTrue(after.All(v => v.DenseValues().All(x => x == 0)));
        Assert.AreEqual(test.GetRowCount(), transformer.FallbackRows);
    }
}
