using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Serving;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>One way of serving the version-skew model, tested on the held-out days.</summary>
/// <param name="Variant">How it is served (<see cref="VersionSkewExperiment.Pinned"/> …).</param>
/// <param name="Seed">The world's seed.</param>
/// <param name="VersionsAhead">How many versions the served knowledge is ahead of the one the model trained with (k of v + k).</param>
/// <param name="Gauc">Group AUC by user.</param>
/// <param name="Auc">Overall AUC.</param>
/// <param name="Groups">Test users with both classes.</param>
/// <param name="PairedDelta">GAUC − the pinned model's on the same rows; null for the pinned model.</param>
/// <param name="PairedStandardError">The paired user bootstrap's standard error of <paramref name="PairedDelta"/>.</param>
public sealed record VersionSkewResult(string Variant, int Seed, int VersionsAhead, double Gauc, double Auc, long Groups,
    double? PairedDelta = null, double? PairedStandardError = null);

/// <summary>
/// What knowledge version skew costs (paper §5.3, left there to future work). Knowledge versions are one pre-training
/// continued a day at a time on the super-domain: v is pre-trained on the days before day b, v + k continued on days
/// b … b + k − 1 (so v + K is the last super-domain day's). A KEEP DNN is trained on the sub-domain's training days
/// against v and tested on the test days after the first, served (i) with v pinned, (ii) with v + k for k = 1 … K,
/// (iii) with v + k aligned to v (<see cref="AlignedKnowledge"/>, fitted on the sub-domain's training rows; k = 0 is
/// its cost when versions match); and the recovery: the model trained one more day (the first test day) with v + 1,
/// against the same extra day with v pinned. Every variant is paired with (i) on the same rows.
/// </summary>
internal static class VersionSkewExperiment
{
    /// <summary>Variant names, as in the report.</summary>
    public const string Pinned = "pinned v", Ahead = "served v + k", Aligned = "served v + k aligned to v",
        PinnedOneMoreDay = "one more day on v, served v", RecoveredOneMoreDay = "one more day on v + 1, served v + 1";

    /// <summary>The first super-domain day not in version v, for <paramref name="versions"/> newer versions.</summary>
    public static int FirstDayAfterV(WorldOptions world, int versions) => world.TrainDays - versions;

    /// <summary>Checks that the world has the days the experiment needs.</summary>
    public static void Validate(WorldOptions world, int versions, string preset)
    {
        if (versions < 1) throw new ArgumentException($"SkewVersions must be at least 1 to measure skew (0 skips it); got {versions}.");
        if (FirstDayAfterV(world, versions) < 1)
            throw new ArgumentException($"The {preset} world has {world.TrainDays} super-domain days: at most {world.TrainDays - 1} newer versions after a version pre-trained on at least one day; got {versions}.");
        if (world.TestDays < 2) throw new ArgumentException($"The {preset} world has {world.TestDays} test day; version skew needs two (one to train the recovery on, one to test).");
    }

    public static void Run(WorldOptions world, int versions, string dir, IReadOnlyDictionary<DatasetSplit, string> files, PretrainingOptions pretraining, KeepDnnOptions dnn,
        Action<VersionSkewResult> record, Action<string> report, CancellationToken cancellation)
    {
        int seed = world.Seed, b = FirstDayAfterV(world, versions), firstTest = world.TrainDays;
        IEnumerable<ImpressionBatch> TestDays(int first) => RecentDays.From(ImpressionFile.Read(files[DatasetSplit.SubTest]), first);
        Func<IEnumerable<ImpressionBatch>> subTrain = () => ImpressionFile.Read(files[DatasetSplit.SubTrain]);

        var models = new List<PretrainedModel>();
        KeepDnn? model = null, pinnedMore = null, recovered = null;
        try
        {
            // v, then each newer version continued from the one before on one more super-domain day.
            KnowledgeVersions.Ensure(dir, files, pretraining, b - 1, b + versions - 1, report, cancellation);
            for (int k = 0; k <= versions; k++) models.Add(PretrainedModel.Load(KnowledgeVersions.PathOf(dir, b + k - 1)));
            // Each version's knowledge of the held test rows and alignment rows is computed once, whichever model reads it.
            var sources = models.Select(m => new MemoizedKnowledge(new ExactKnowledge(m, dnn.Knowledge))).ToList();
            var alignmentRows = subTrain().ToList();
            var trainer = new KeepDnnTrainer(dnn with { Seed = seed });
            report($"seed {seed}: training the KEEP DNN on the sub-domain's training days against version v (super-domain days 0-{b - 1})");
            model = trainer.Fit(subTrain, sources[0], cancellation: cancellation);
            var test = TestRows.Of(TestDays(firstTest + 1), subTrain(), [5, 20]);
            float[] reference = Scores(test, batch => model.Predict(batch));
            void Add(string variant, int ahead, float[] scores)
            {
                var (metrics, paired, text) = test.Scored(scores, variant == Pinned ? null : reference, seed, "pinned");
                record(new VersionSkewResult(variant, seed, ahead, metrics.Gauc, metrics.Auc, metrics.Groups, paired?.Difference, paired?.StandardError));
                report($"seed {seed}: {variant} (k = {ahead}): {text}");
            }
            Add(Pinned, 0, reference);
            for (int k = 0; k <= versions; k++)
            {
                if (k > 0) Add(Ahead, k, Scores(test, batch => model.Predict(batch, sources[k])));
                var aligned = AlignedKnowledge.Fit(sources[k], sources[0], alignmentRows);
                Add(Aligned, k, Scores(test, batch => model.Predict(batch, aligned)));
                if (k > 1) sources[k].Clear(); // v and v + 1 are read again by the recovery below
            }
            Func<IEnumerable<ImpressionBatch>> extraDay = () => RecentDays.Before(TestDays(firstTest), firstTest + 1);
            pinnedMore = trainer.Fit(extraDay, sources[0], warmStart: model, cancellation);
            Add(PinnedOneMoreDay, 0, Scores(test, batch => pinnedMore.Predict(batch)));
            recovered = trainer.Fit(extraDay, sources[1], warmStart: model, cancellation);
            Add(RecoveredOneMoreDay, 1, Scores(test, batch => recovered.Predict(batch)));
        }
        finally
        {
            foreach (var m in new[] { model, pinnedMore, recovered }) m?.Dispose();
            foreach (var m in models) m.Dispose();
        }
    }

    private static float[] Scores(TestRows test, Func<ImpressionBatch, float[]> predict) => [.. test.Batches.SelectMany(predict)];
}
