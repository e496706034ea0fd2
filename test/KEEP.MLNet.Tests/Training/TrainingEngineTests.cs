using KEEP.MLNet.Data;
using KEEP.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

[TestClass]
public sealed class TrainingEngineTests
{
    /// <summary>Batch b of epoch e: 8 rows of a fixed linear problem; every 5th block has nothing to learn (null loss).</summary>
    private static IEnumerable<int> Batches(int epoch) => Enumerable.Range(epoch * 100, 23);

    private sealed class Regression : ITrainingStep<int, (float[] X, float[] Y)?>
    {
        private readonly nn.Module<Tensor, Tensor> _model;
        public readonly List<double> StepLosses = [];
        public Regression(nn.Module<Tensor, Tensor> model) => _model = model;

        public (float[] X, float[] Y)? Prepare(int batch)
        {
            if (batch % 5 == 4) return null;
            var random = new Random(batch);
            var x = Enumerable.Range(0, 8 * 3).Select(_ => (float)random.NextDouble()).ToArray();
            var y = Enumerable.Range(0, 8).Select(r => 2 * x[3 * r] - x[3 * r + 1] + 0.5f * x[3 * r + 2] + 1).ToArray();
            return (x, y);
        }

        public StepLoss? Loss((float[] X, float[] Y)? block)
        {
            if (block is not var (x, y)) return null;
            var error = _model.forward(tensor(x, [8, 3])).squeeze(-1) - tensor(y);
            var loss = error.pow(2).mean();
            var part = error.abs().mean();
            StepLosses.Add(loss.item<float>());
            return new StepLoss(loss, [part], 8);
        }
    }

    private static nn.Module<Tensor, Tensor> Model() => Layers.SeededInitialisation.Create(11, () => nn.Linear(3, 1));

    private static float[] Weights(nn.Module model) => [.. model.parameters().SelectMany(p => p.data<float>().ToArray())];

    [TestMethod]
    public void Windows_average_the_steps_blocks_without_a_loss_are_skipped_and_progress_counts_rows()
    {
        using var model = Model();
        var step = new Regression(model);
        var reports = new List<TrainingProgress>();
        using var optimizer = TrainingOptimizer.Adam(model, 0.05, EmbeddingUpdates.DenseAdam);
        var outcome = TrainingEngine.Run(new TrainingRun<int>
        {
            Stage = "test", Batches = Batches, Epochs = 2, LossWindowSteps = 4, ExpectedRowsPerEpoch = 19 * 8,
            Progress = new SynchronousProgress<TrainingProgress>(reports.Add),
        }, step, optimizer);

        int trained = 2 * Batches(0).Count(b => b % 5 != 4);
        Assert.AreEqual(trained, step.StepLosses.Count);
        Assert.AreEqual(trained, outcome.End.Steps);
        Assert.AreEqual(trained * 8L, outcome.End.Rows);
        var expected = step.StepLosses.Chunk(4).Select(c => c.Average()).ToList();
        CollectionAssert.AreEqual(expected.Select(e => Math.Round(e, 5)).ToList(), outcome.Windows.Select(w => Math.Round(w.Losses[0], 5)).ToList());
        Assert.IsTrue(outcome.Windows.All(w => w.Losses.Count == 2), "total and one part per window");
        Assert.AreEqual(outcome.Windows.Count, reports.Count);
        Assert.AreEqual(trained * 8L, reports[^1].Rows);
        Assert.AreEqual(trained * 8L, reports[^1].TotalRows);
        Assert.IsTrue(reports.Zip(reports.Skip(1)).All(p => p.First.Rows < p.Second.Rows));
        Assert.IsTrue(outcome.Windows[^1].Losses[0] < outcome.Windows[0].Losses[0] / 4, "the regression is learnt");
    }

    [TestMethod]
    public void A_run_resumed_from_a_checkpoint_ends_with_the_weights_of_an_uninterrupted_run_bit_for_bit()
    {
        using var whole = Model();
        using var wholeOptimizer = TrainingOptimizer.Adam(whole, 0.05, EmbeddingUpdates.DenseAdam);
        (TrainingPosition Position, float[] Weights, byte[] Optimizer)? saved = null;
        TrainingEngine.Run(new TrainingRun<int>
        {
            Stage = "test", Batches = Batches, Epochs = 2, LossWindowSteps = 3, CheckpointEveryRows = 100,
            Checkpoint = (at, _) =>
            {
                if (saved != null) return;
                var state = new MemoryStream();
                wholeOptimizer.Save(state);
                saved = (at, Weights(whole), state.ToArray());
            },
        }, new Regression(whole), wholeOptimizer);
        Assert.IsNotNull(saved);

        using var resumed = Model();
        using (no_grad())
        {
            var flat = saved.Value.Weights;
            int offset = 0;
            foreach (var p in resumed.parameters())
            {
                int n = (int)p.NumberOfElements;
                p.copy_(tensor(flat[offset..(offset + n)], p.shape));
                offset += n;
            }
        }
        using var resumedOptimizer = TrainingOptimizer.Adam(resumed, 0.05, EmbeddingUpdates.DenseAdam);
        resumedOptimizer.Load(new MemoryStream(saved.Value.Optimizer));
        var outcome = TrainingEngine.Run(new TrainingRun<int> { Stage = "test", Batches = Batches, Epochs = 2, LossWindowSteps = 3, ResumeFrom = saved.Value.Position },
            new Regression(resumed), resumedOptimizer);

        CollectionAssert.AreEqual(Weights(whole), Weights(resumed));
        Assert.AreEqual(2 * Batches(0).Count(b => b % 5 != 4), outcome.End.Steps);
    }

    [TestMethod]
    public void Cancellation_stops_before_the_next_block()
    {
        using var model = Model();
        var step = new Regression(model);
        using var cancel = new CancellationTokenSource();
        using var optimizer = TrainingOptimizer.Adam(model, 0.05, EmbeddingUpdates.DenseAdam);
        var run = new TrainingRun<int>
        {
            Stage = "test", Batches = Batches, LossWindowSteps = 1, Cancellation = cancel.Token,
            Progress = new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 3) cancel.Cancel(); }),
        };
        Assert.ThrowsExactly<OperationCanceledException>(() => TrainingEngine.Run(run, step, optimizer));
        Assert.AreEqual(3, step.StepLosses.Count);
    }
}
