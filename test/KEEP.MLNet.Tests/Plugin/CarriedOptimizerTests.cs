using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Training;
using static KEEP.MLNet.Tests.Training.DistributedPretrainingTests;

namespace KEEP.MLNet.Tests.Plugin;

/// <summary>
/// Training further continues the optimizer the model ended with (Adam's moments and step counts, by parameter name):
/// checked against one longer run, which never stopped its optimizer.
/// </summary>
[TestClass]
public sealed class CarriedOptimizerTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [16], AttentionLayers = [8], PluginHidden = [8], BatchSize = 256, Seed = 2 };

    private static IEnumerable<ImpressionBatch> Rows() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).Take(2);

    // Epoch e of a run is shuffled with seed + e: a one-epoch run with seed + 1 draws the blocks of a two-epoch run's second epoch.
    private static KeepDnnTrainer SecondEpoch(bool carry) => new(Small with { Seed = Small.Seed + 1, CarryOptimizerState = carry });

    [TestMethod]
    [DataRow(EmbeddingUpdates.RowwiseAdam)]
    [DataRow(EmbeddingUpdates.DenseAdam)]
    public void One_epoch_continued_by_another_ends_where_a_two_epoch_run_ends_bit_for_bit(EmbeddingUpdates updates)
    {
        var options = Small with { EmbeddingUpdates = updates };
        using var twoEpochs = new KeepDnnTrainer(options with { Epochs = 2 }).Fit(Rows);
        var first = new KeepDnnTrainer(options).Fit(Rows);
        Assert.IsNotNull(first.OptimizerState);
        using var continued = new KeepDnnTrainer(options with { Seed = Small.Seed + 1 }).Continue(first, Rows);
        Assert.AreEqual(0.0, MaxDifference(twoEpochs.Network, continued.Network), "the continued optimizer is the uninterrupted one");

        // The same continuation with a fresh Adam ends elsewhere: the comparison above can tell the two apart.
        var again = new KeepDnnTrainer(options).Fit(Rows);
        using var fresh = new KeepDnnTrainer(options with { Seed = Small.Seed + 1, CarryOptimizerState = false }).Continue(again, Rows);
        Assert.IsNull(fresh.OptimizerState, "a run that does not carry its optimizer keeps no state");
        Assert.IsGreaterThan(1e-4, MaxDifference(twoEpochs.Network, fresh.Network));
    }

    [TestMethod]
    public void The_state_travels_in_the_checkpoint_so_a_saved_and_loaded_model_continues_as_the_one_in_memory()
    {
        using var twoEpochs = new KeepDnnTrainer(Small with { Epochs = 2 }).Fit(Rows);
        using var first = new KeepDnnTrainer(Small).Fit(Rows);
        using var saved = new MemoryStream();
        KeepDnnCheckpoint.Save(first, saved);
        saved.Position = 0;
        var loaded = KeepDnnCheckpoint.Load(saved, "first.keep");
        using var continued = SecondEpoch(carry: true).Continue(loaded, Rows);
        Assert.AreEqual(0.0, MaxDifference(twoEpochs.Network, continued.Network));
    }

    [TestMethod]
    public void A_plugin_added_to_a_running_model_continues_its_parameters_optimizer_and_starts_its_own()
    {
        long steps = TrainingOrder.DayShuffled(Rows, Small.BatchSize, Small.Seed, stream: 0)(0).Count(); // blocks per epoch, any seed
        using var running = new KeepDnnTrainer(Small).Fit(Rows);
        using var plugged = new KeepDnnTrainer(Small).Fit(Rows, new ExactKnowledge(TestModels.TinyModel), warmStart: running);
        var state = plugged.OptimizerState!;
        var runningNames = running.Network.named_parameters().Select(p => p.name).ToHashSet();
        int shared = 0, added = 0;
        foreach (var (name, parameter) in plugged.Network.named_parameters())
        {
            Assert.IsTrue(state.TryGet(name, parameter.shape, out var slot), name);
            bool wasRunning = runningNames.Contains(name);
            Assert.AreEqual(wasRunning ? 2 * steps : steps, slot.Step, name);
            if (wasRunning) shared++; else added++;
        }
        Assert.IsGreaterThan(0, added, "the plug-in's parameters");
        Assert.AreEqual(runningNames.Count, shared);
    }
}
