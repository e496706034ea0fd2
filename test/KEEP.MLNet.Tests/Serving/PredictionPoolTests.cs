using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using Microsoft.ML;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class PredictionPoolTests
{
    private static ImpressionInput[] Inputs()
        => [.. ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).SelectMany(b => Enumerable.Range(0, b.Count).Select(r => ImpressionInput.From(b, r))).Take(400)];

    [TestMethod]
    public void Engines_dropped_beyond_the_retained_count_leave_the_shared_model_working()
    {
        // With ML.NET's default OwnsTransformer = true, the first surplus engine disposed here would dispose the model
        // under every other engine (dotnet/machinelearning#5945); the pool creates its engines so that cannot happen.
        using var served = ServedModel.Load(ServingHostTests.KeepDnnZip.Value);
        var inputs = Inputs();
        var ml = new MLContext(1);
        float[] expected;
        using (var single = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(served.Transformer, new PredictionEngineOptions { OwnsTransformer = false }))
            expected = [.. inputs.Select(i => single.Predict(i).Probability)];

        var pool = served.CreatePool<ImpressionInput, KeepDnnOutput>(maxRetained: 1);
        var actual = new float[inputs.Length];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = t; i < inputs.Length; i += 8) actual[i] = pool.Predict(inputs[i]).Probability;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsGreaterThan(1, pool.EnginesCreated, "the threads overlapped, so surplus engines were made and dropped");
        CollectionAssert.AreEqual(expected, actual);
        Assert.AreEqual(expected[0], pool.Predict(inputs[0]).Probability, "the model still scores after the drops");

        pool.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => pool.Predict(inputs[0]));
        using var again = served.CreatePool<ImpressionInput, KeepDnnOutput>();
        Assert.AreEqual(expected[0], again.Predict(inputs[0]).Probability, "a pool that does not own the model leaves it to its owner");
    }

    [TestMethod]
    public void A_pool_that_owns_its_model_disposes_it_once_and_refuses_bad_settings()
    {
        var ml = new MLContext(1);
        var model = KeepModel.Load(ml, ServingHostTests.KeepDnnZip.Value, out _);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PredictionPool<ImpressionInput, KeepDnnOutput>(ml, model, ownsModel: false, maxRetained: 0));
        var pool = new PredictionPool<ImpressionInput, KeepDnnOutput>(ml, model);
        var scored = pool.Predict(Inputs().Take(3));
        Assert.HasCount(3, scored);
        pool.Dispose();
        pool.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => pool.Predict(Inputs()[0]));
    }
}
