namespace KEEP.MLNet.Training;

/// <summary>A progress report of any training run, at the end of each loss window.</summary>
/// <param name="Stage">What is training (e.g. "pre-training", "teacher").</param>
/// <param name="Rows">Rows trained on so far in this run (over all epochs).</param>
/// <param name="TotalRows">Rows the run will train on (over all epochs); 0 when unknown.</param>
/// <param name="Step">Optimizer steps so far in this run.</param>
/// <param name="RowsPerSecond">Throughput since the run started.</param>
/// <param name="Remaining">Estimated time left; zero when unknown.</param>
/// <param name="Losses">The window's mean loss: the total first, then each recorded part.</param>
public readonly record struct TrainingProgress(string Stage, long Rows, long TotalRows, long Step, double RowsPerSecond, TimeSpan Remaining, IReadOnlyList<double> Losses);

/// <summary>One point of a loss curve: the mean over a window of steps.</summary>
/// <param name="Step">Steps of the run at the end of the window.</param>
/// <param name="Rows">Rows of the run at the end of the window.</param>
/// <param name="Losses">Mean total loss first, then the mean of each recorded part.</param>
public sealed record LossWindow(long Step, long Rows, IReadOnlyList<double> Losses);

/// <summary>Where a run stands: enough to continue it exactly after a stop.</summary>
/// <param name="Epoch">The epoch in progress (or the number of epochs, when done).</param>
/// <param name="StepsInEpoch">Blocks of that epoch already consumed (trained or skipped as empty).</param>
/// <param name="Steps">Optimizer steps of the run so far.</param>
/// <param name="Rows">Rows of the run so far.</param>
public sealed record TrainingPosition(int Epoch, long StepsInEpoch, long Steps, long Rows)
{
    /// <summary>The start of a run.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0);
}
