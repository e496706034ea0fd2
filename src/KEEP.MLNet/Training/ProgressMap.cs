namespace KEEP.MLNet.Training;

/// <summary>Adapts the engine's progress to a stage's own progress type, synchronously.</summary>
internal static class ProgressMap
{
    /// <summary>A sink that converts each report with <paramref name="map"/> and passes it on; null when <paramref name="target"/> is null.</summary>
    public static IProgress<TrainingProgress>? To<T>(IProgress<T>? target, Func<TrainingProgress, T> map)
        => target == null ? null : new Relay<T>(target, map);

    private sealed class Relay<T>(IProgress<T> target, Func<TrainingProgress, T> map) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => target.Report(map(value));
    }
}
