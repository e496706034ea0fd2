using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// The training loop of ROK's two stages: day order, shuffled within each day, blocks prepared on a second
/// thread (retrieval, teacher targets), Adam steps, the loss averaged per window of steps.
/// </summary>
internal static class MinibatchTraining
{
    /// <summary>Steps averaged into one recorded loss.</summary>
    public const int LossWindow = 10;

    /// <summary>Trains (a step returning null is skipped); returns the mean of each recorded part of the loss per window (part 0 is the total).</summary>
    public static List<double[]> Run<T>(string stage, Func<IEnumerable<ImpressionBatch>> data, long expectedRows, RokOptions options, int epochs,
        optim.Optimizer optimizer, Func<ImpressionBatch, T> prepare, Func<T, (Tensor Loss, Tensor[] Parts, int Rows)?> step,
        IProgress<RokProgress>? progress, CancellationToken cancellation)
    {
        var windows = new List<double[]>();
        double[]? sum = null;
        int steps = 0;
        long done = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var shuffle = new SeededRandom(options.Seed + epoch, stream: 13);
            BackgroundPreparation.Run(DayShuffler.Batches(data(), options.BatchSize, shuffle).Select(prepare), block =>
            {
                using var scope = NewDisposeScope();
                if (step(block) is not var (loss, parts, rows)) return; // nothing to learn from this block
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum ??= new double[parts.Length + 1];
                sum[0] += loss.item<float>();
                for (int p = 0; p < parts.Length; p++) sum[p + 1] += parts[p].item<float>();
                done += rows;
                if (++steps == LossWindow) Flush();
            }, cancellation);
        }
        if (steps > 0) Flush();
        progress?.Report(new RokProgress(stage, done, Math.Max(done, expectedRows * epochs), windows.Count > 0 ? windows[^1][0] : double.NaN));
        return windows;

        void Flush()
        {
            windows.Add([.. sum!.Select(s => s / steps)]);
            Array.Clear(sum!);
            steps = 0;
            progress?.Report(new RokProgress(stage, done, expectedRows * epochs, windows[^1][0]));
        }
    }
}
