using System.Diagnostics;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>Everything about a run that is not the network: data order, epochs, windows, progress, checkpoints.</summary>
/// <typeparam name="TBatch">What the data source yields per block.</typeparam>
public sealed class TrainingRun<TBatch>
{
    /// <summary>What is training, for progress reports.</summary>
    public required string Stage { get; init; }

    /// <summary>The blocks of epoch e, in training order (e.g. <see cref="TrainingOrder.DayShuffled"/>); the same blocks each time it is called for e.</summary>
    public required Func<int, IEnumerable<TBatch>> Batches { get; init; }

    /// <summary>Passes over the data.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Steps averaged into one <see cref="LossWindow"/>.</summary>
    public int LossWindowSteps { get; init; } = 10;

    /// <summary>Rows per epoch, for the ETA; 0 when unknown.</summary>
    public long ExpectedRowsPerEpoch { get; init; }

    /// <summary>Where a stopped run stood (its blocks are skipped unprepared); null starts at the beginning.</summary>
    public TrainingPosition? ResumeFrom { get; init; }

    /// <summary>Reports at the end of each loss window and at the end of the run.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Rows between checkpoints (written at the next window boundary).</summary>
    public long CheckpointEveryRows { get; init; } = 200_000;

    /// <summary>Writes a resume checkpoint of the run so far (the network and optimizer are as after the position's last step); null writes none.</summary>
    public Action<TrainingPosition, IReadOnlyList<LossWindow>>? Checkpoint { get; init; }

    /// <summary>Stops the run (the next block is not started).</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a run did: where it ended and the loss windows it recorded.</summary>
/// <param name="End">The final position.</param>
/// <param name="Windows">The loss windows this call recorded (a resumed run's start after the stop).</param>
public sealed record TrainingOutcome(TrainingPosition End, IReadOnlyList<LossWindow> Windows);

/// <summary>
/// The one minibatch loop of KEEP.MLNet (a template method: the network supplies only
/// <see cref="ITrainingStep{TBatch, TBlock}.Prepare"/> and <see cref="ITrainingStep{TBatch, TBlock}.Loss"/>).
/// The next block is prepared on a second thread while the current one trains; every step runs in one
/// TorchSharp dispose scope; losses are averaged per window; progress carries rows, rows/s, ETA and each
/// recorded part of the loss; checkpoints are written at window boundaries; cancellation stops before the
/// next block. Same blocks and same initial network give the same weights, bit for bit.
/// </summary>
public static class TrainingEngine
{
    /// <summary>Trains with <paramref name="optimizer"/> on the blocks of <paramref name="run"/>, as <paramref name="step"/> prepares them and computes their loss.</summary>
    /// <returns>The final position and the loss windows recorded by this call.</returns>
    /// <exception cref="OperationCanceledException">The run's cancellation token was cancelled.</exception>
    public static TrainingOutcome Run<TBatch, TBlock>(TrainingRun<TBatch> run, ITrainingStep<TBatch, TBlock> step, ITrainingOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (run.LossWindowSteps < 1) throw new ArgumentException($"LossWindowSteps must be at least 1 (got {run.LossWindowSteps}).");
        if (run.Checkpoint != null && run.CheckpointEveryRows <= 0) throw new ArgumentException($"CheckpointEveryRows must be positive (got {run.CheckpointEveryRows}).");
        var start = run.ResumeFrom ?? TrainingPosition.Start;
        var windows = new List<LossWindow>();
        long rows = start.Rows, steps = start.Steps, checkpointRows = rows, totalRows = run.ExpectedRowsPerEpoch * run.Epochs;
        double[]? sum = null;
        int windowSteps = 0;
        var clock = Stopwatch.StartNew();
        long rowsAtStart = rows;
        var position = start;

        for (int epoch = start.Epoch; epoch < run.Epochs; epoch++)
        {
            long inEpoch = epoch == start.Epoch ? start.StepsInEpoch : 0;
            var prepared = run.Batches(epoch).Skip(checked((int)inEpoch)).Select(step.Prepare);
            BackgroundPreparation.Run(prepared, block =>
            {
                run.Cancellation.ThrowIfCancellationRequested();
                inEpoch++;
                using (var scope = NewDisposeScope())
                {
                    if (step.Loss(block) is { } loss)
                    {
                        optimizer.ZeroGrad();
                        loss.Total.backward();
                        optimizer.ApplyGradients();
                        sum ??= new double[loss.Parts.Count + 1];
                        sum[0] += loss.Total.item<float>();
                        for (int p = 0; p < loss.Parts.Count; p++) sum[p + 1] += loss.Parts[p].item<float>();
                        rows += loss.Rows;
                        steps++;
                        windowSteps++;
                    }
                }
                position = new TrainingPosition(epoch, inEpoch, steps, rows);
                if (windowSteps < run.LossWindowSteps) return;
                Flush();
                if (run.Checkpoint != null && rows - checkpointRows >= run.CheckpointEveryRows)
                {
                    checkpointRows = rows;
                    run.Checkpoint(position, windows);
                }
            }, run.Cancellation);
        }
        if (windowSteps > 0) Flush(final: true);
        else Report(windows.Count > 0 ? windows[^1].Losses : [], final: true);
        return new TrainingOutcome(new TrainingPosition(run.Epochs, 0, steps, rows), windows);

        void Flush(bool final = false)
        {
            var mean = sum!.Select(s => s / windowSteps).ToArray();
            windows.Add(new LossWindow(steps, rows, mean));
            Array.Clear(sum!);
            windowSteps = 0;
            Report(mean, final);
        }

        // TotalRows is 0 while unknown, and the rows done at the end.
        void Report(IReadOnlyList<double> losses, bool final)
        {
            if (run.Progress == null) return;
            double speed = (rows - rowsAtStart) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            var remaining = totalRows > rows ? TimeSpan.FromSeconds((totalRows - rows) / Math.Max(speed, 1e-9)) : TimeSpan.Zero;
            long total = final || totalRows > 0 ? Math.Max(totalRows, rows) : 0;
            run.Progress.Report(new TrainingProgress(run.Stage, rows, total, steps, speed, remaining, losses));
        }
    }
}
