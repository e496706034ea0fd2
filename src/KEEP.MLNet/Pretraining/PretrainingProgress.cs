namespace KEEP.MLNet.Pretraining;

/// <summary>A progress report of pre-training.</summary>
/// <param name="Rows">Rows trained on so far in this run.</param>
/// <param name="TotalRows">Rows this run will train on.</param>
/// <param name="Step">Optimiser steps so far.</param>
/// <param name="RowsPerSecond">Throughput since the run started.</param>
/// <param name="Remaining">Estimated time left.</param>
/// <param name="TaskLosses">Recent mean loss of each task, in task order.</param>
public readonly record struct PretrainingProgress(long Rows, long TotalRows, long Step, double RowsPerSecond, TimeSpan Remaining, IReadOnlyList<double> TaskLosses);

/// <summary>One point of the loss curve: mean loss of each task over the steps since the previous point.</summary>
/// <param name="Step">Optimiser step at which the point was taken.</param>
/// <param name="Rows">Rows trained on by then (over all runs of the model).</param>
/// <param name="TaskLosses">Mean loss per task, in task order.</param>
public sealed record LossPoint(long Step, long Rows, IReadOnlyList<double> TaskLosses);
