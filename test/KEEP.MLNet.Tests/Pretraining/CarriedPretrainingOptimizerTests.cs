using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using static KEEP.MLNet.Tests.Training.DistributedPretrainingTests;

namespace KEEP.MLNet.Tests.Pretraining;

/// <summary>A pre-trained model continued on the next day continues the optimizer its training ended with (daily incremental pre-training).</summary>
[TestClass]
public sealed class CarriedPretrainingOptimizerTests
{
    private static List<ImpressionBatch> Earlier() => TestModels.TrainingRows().Take(2).ToList();

    private static List<ImpressionBatch> NextDay() => TestModels.HoldoutRows().Take(1).ToList();

    [TestMethod]
    public void Every_parameters_state_counts_the_steps_of_both_runs_and_a_saved_model_continues_as_the_one_in_memory()
    {
        using var first = new KeepPretrainer(TestModels.Options).Fit(Earlier);
        long firstSteps = first.History.Steps;
        var names = first.Network.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        foreach (var (name, shape) in names)
        {
            Assert.IsTrue(first.OptimizerState!.TryGet(name, shape, out var slot), name);
            Assert.AreEqual(firstSteps, slot.Step, name);
        }
        byte[] saved;
        using (var stream = new MemoryStream())
        {
            first.Save(stream);
            saved = stream.ToArray();
        }

        var continued = KeepPretrainer.Continue(first, NextDay());
        long bothSteps = continued.History.Steps;
        Assert.IsGreaterThan(firstSteps, bothSteps);
        foreach (var (name, shape) in names)
        {
            Assert.IsTrue(continued.OptimizerState!.TryGet(name, shape, out var slot), name);
            Assert.AreEqual(bothSteps, slot.Step, name);
        }

        using var loaded = PretrainedModel.Load(new MemoryStream(saved), "first.keep");
        var continuedFromFile = KeepPretrainer.Continue(loaded, NextDay());
        Assert.AreEqual(0.0, MaxDifference(continued, continuedFromFile), "the file carries the optimizer's state");

        // Without the state, the same continuation ends elsewhere (so the comparison above can tell).
        using var fresh = new KeepPretrainer(TestModels.Options with { CarryOptimizerState = false }).Fit(Earlier);
        Assert.IsNull(fresh.OptimizerState);
        using (var firstAgain = PretrainedModel.Load(new MemoryStream(saved), "first.keep"))
            Assert.AreEqual(0.0, MaxDifference(firstAgain, fresh), "the option changes what is kept, not the training");
        var continuedFresh = KeepPretrainer.Continue(fresh, NextDay());
        Assert.IsGreaterThan(1e-4, MaxDifference(continued, continuedFresh));
    }
}
