using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>
/// Knowledge versions as the General Knowledge Center publishes them (paper §5.3): one pre-training on the super-domain
/// continued a day at a time, its optimizer carried from day to day, each day's model a version. The version of days
/// 0 … d is saved in the world's folder (<see cref="PathOf"/>), so a rerun and the other part of the experiment reuse it.
/// </summary>
internal static class KnowledgeVersions
{
    /// <summary>Where the version of super-domain days 0 … <paramref name="lastDay"/> is saved.</summary>
    public static string PathOf(string dir, int lastDay) => WorldFolder.PretrainedPath(dir, $"v-days-0-{lastDay}");

    /// <summary>
    /// Makes sure the versions of days 0 … <paramref name="first"/> through 0 … <paramref name="last"/> are saved: the first
    /// pre-trained on days 0 … <paramref name="first"/>, each next one continued from the saved one before on one more day.
    /// </summary>
    public static void Ensure(string dir, IReadOnlyDictionary<DatasetSplit, string> files, PretrainingOptions pretraining, int first, int last,
        Action<string> report, CancellationToken cancellation)
    {
        IEnumerable<ImpressionBatch> Super() => ImpressionFile.Read(files[DatasetSplit.Super]);
        if (!File.Exists(PathOf(dir, first)))
            WorldFolder.Pretrained(dir, $"v-days-0-{first}", pretraining, () => RecentDays.Before(Super(), first + 1), report, cancellation).Dispose();
        for (int day = first + 1; day <= last; day++)
        {
            string path = PathOf(dir, day);
            if (File.Exists(path)) continue;
            report($"seed {pretraining.Seed}: knowledge version of days 0-{day}: pre-training continued on super-domain day {day}");
            var clock = Stopwatch.StartNew();
            var previous = PretrainedModel.Load(PathOf(dir, day - 1));
            try
            {
                int today = day;
                var next = KeepPretrainer.Continue(previous, RecentDays.From(RecentDays.Before(Super(), today + 1), today), cancellation: cancellation);
                next.Save(path);
                next.OptimizerState?.Dispose(); // next shares previous's network, which the finally block releases
            }
            finally
            {
                previous.Dispose();
            }
            report($"seed {pretraining.Seed}: continued to day {day} in {clock.Elapsed.TotalSeconds:F0} s");
        }
    }
}
