using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Plugin;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class LightGbmPipelineTests
{
    [TestMethod]
    public void LightGbm_with_KEEP_splits_on_the_knowledge_and_its_zip_reloads_to_the_same_probabilities()
    {
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], historyLength: 50);
        var test = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], historyLength: 50);
        var model = DownstreamPipelines.Create(ml, "lightgbm", ImpressionColumns.Click, seed: 3, TestModels.TinyModel, hashBits: 10).Fit(train);

        var trees = Flatten(model).OfType<BinaryPredictionTransformer<Microsoft.ML.Calibrators.CalibratedModelParametersBase<Microsoft.ML.Trainers.LightGbm.LightGbmBinaryModelParameters, Microsoft.ML.Calibrators.PlattCalibrator>>>().Single();
        var gains = default(VBuffer<float>);
        trees.Model.SubModel.GetFeatureWeights(ref gains);
        var dense = gains.DenseValues().ToArray();
        int knowledgeSlots = 48 + 48 + 192;
        Assert.IsGreaterThan(knowledgeSlots, dense.Length);
        Assert.IsGreaterThan(0.0, dense[^knowledgeSlots..].Sum(), "LightGbm's trees split on K_u, K_i or K_ui");

        var probabilities = model.Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.IsTrue(probabilities.All(p => p is > 0 and < 1));
        string path = Path.Combine(TestWorlds.TempFolder("lightgbm-zip"), "lightgbm.zip");
        ml.Model.Save(model, train.Schema, path);
        var reloaded = new MLContext(2).Model.Load(path, out _).Transform(test).GetColumn<float>("Probability").ToArray();
        Assert.HasCount(probabilities.Length, reloaded);
        for (int i = 0; i < probabilities.Length; i++) Assert.AreEqual(probabilities[i], reloaded[i], 1e-5f, $"row {i}");
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];
}
