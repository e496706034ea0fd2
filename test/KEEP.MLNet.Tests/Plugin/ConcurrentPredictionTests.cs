using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using Microsoft.ML;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class ConcurrentPredictionTests
{
    [TestMethod]
    public void Eight_threads_with_an_engine_each_predict_what_one_thread_predicts()
    {
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], 50);
        var options = new KeepDnnOptions { Layers = [32, 16], AttentionLayers = [8], PluginHidden = [16], BatchSize = 256 };
        string zip = Path.Combine(TestWorlds.TempFolder("concurrent"), "keep-dnn.zip");
        using (var model = ml.BinaryClassification.Trainers.KeepDnn(options, TestModels.TinyModel).Fit(train)) ml.Model.Save(model, train.Schema, zip);
        var loaded = KeepModel.Load(new MLContext(2), zip, out _);
        var batch = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        var inputs = Enumerable.Range(0, Math.Min(250, batch.Count)).Select(r => ImpressionInput.From(batch, r)).ToArray();

        float[] Predict(int offset)
        {
            // One engine per thread over one loaded model; an engine must not dispose the shared model
            // (ML.NET's default would dispose the ONNX session under the other threads: dotnet/machinelearning#5945).
            using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            var output = new float[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                int row = (i + offset) % inputs.Length; // threads walk the rows in different orders
                output[row] = engine.Predict(inputs[row]).Probability;
            }
            return output;
        }

        var expected = Predict(0);
        var results = new float[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t => results[t] = Predict(t * 31));
        foreach (var result in results) CollectionAssert.AreEqual(expected, result);
    }
}
