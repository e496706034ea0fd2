using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>One daily model's quality on the next sub-domain day.</summary>
/// <param name="Variant">The daily model (<see cref="OnlineExperiment.BaseDaily"/> …).</param>
/// <param name="Seed">The world's seed.</param>
/// <param name="TrainDay">The day it last trained on.</param>
/// <param name="TestDay">The day it is tested on (the next one).</param>
/// <param name="Gauc">Group AUC by user.</param>
/// <param name="Auc">Overall AUC.</param>
/// <param name="Groups">Test users with both classes.</param>
/// <param name="Seconds">This day's training time.</param>
/// <param name="PairedDelta">GAUC − the Base DNN's of the same day on the same rows; null for the Base DNN.</param>
/// <param name="PairedStandardError">The paired user bootstrap's standard error of <paramref name="PairedDelta"/>.</param>
/// <param name="DeltaVsScratch">For (b): GAUC − the from-scratch KEEP DNN's (c) of the same day on the same rows; else null.</param>
/// <param name="StandardErrorVsScratch">The paired user bootstrap's standard error of <paramref name="DeltaVsScratch"/>.</param>
public sealed record OnlineResult(string Variant, int Seed, int TrainDay, int TestDay, double Gauc, double Auc, long Groups, double Seconds,
    double? PairedDelta = null, double? PairedStandardError = null, double? DeltaVsScratch = null, double? StandardErrorVsScratch = null);

/// <summary>
/// The paper's online argument measured (§1, §3.2, Figure 2): industrial CTR models are trained day by day, each day's
/// model starting from the previous one. On the sub-domain's consecutive days after the pre-training history, each
/// variant trains on day d (from its model of day d − 1) and is tested on day d + 1:
/// (a) the Base DNN continued daily; (b) at the knowledge day the KEEP plug-in added to the running Base DNN (warm
/// start, plug-in at zero), then continued; (c) at the knowledge day a KEEP DNN trained from scratch on every
/// sub-domain day so far — what an architecture change forces — then continued; (d) the pre-trained network itself
/// fine-tuned daily on the sub-domain (scored by its click tower); and the KEEP DNN plugged from the first day.
/// Every variant's GAUC carries a paired interval against (a) on the same day.
/// </summary>
public sealed class OnlineExperiment
{
    /// <summary>Variant names, as in the report.</summary>
    public const string BaseDaily = "(a) Base DNN, continued daily", PluggedLater = "(b) plug-in added to the running Base DNN",
        FromScratch = "(c) KEEP DNN from scratch at the knowledge day", FineTuned = "(d) pre-trained network fine-tuned daily",
        KeepFromStart = "KEEP DNN from the first day";

    private readonly OnlineExperimentOptions _options;
    private readonly IProgress<string>? _progress;

    /// <summary>Creates the experiment.</summary>
    public OnlineExperiment(OnlineExperimentOptions options, IProgress<string>? progress = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (_options.Seeds.Count == 0) throw new ArgumentException("Give at least one seed.", nameof(options));
        var world = WorldOptions.Preset(_options.Preset);
        int days = world.Days - world.FirstSubTrainDay;
        if (world.FirstSubTrainDay < 1) throw new ArgumentException($"The {_options.Preset} world has no pre-training history before its sub-domain days; use a world of the paper's site (tiny, small, default, large).", nameof(options));
        if (_options.KnowledgeDay < 1 || _options.KnowledgeDay > days - 2)
            throw new ArgumentException($"KnowledgeDay must be 1 to {days - 2} (the {_options.Preset} world has {days} sub-domain days, and a day after the knowledge day is needed to test on); got {_options.KnowledgeDay}.", nameof(options));
        if (!_options.Daily && _options.SkewVersions == 0) throw new ArgumentException("Nothing to run: the daily part is off and SkewVersions is 0.", nameof(options));
        if (_options.SkewVersions < 0) throw new ArgumentException($"SkewVersions must not be negative; got {_options.SkewVersions}.", nameof(options));
        if (_options.SkewVersions > 0)
        {
            try { VersionSkewExperiment.Validate(world, _options.SkewVersions, _options.Preset); }
            catch (ArgumentException e) { throw new ArgumentException(e.Message, nameof(options), e); }
        }
        _progress = progress;
    }

    /// <summary>Path of the JSON results.</summary>
    public string ResultsPath => Path.Combine(_options.OutputDirectory, "online.json");

    /// <summary>Path of the JSON results of the version-skew part.</summary>
    public string SkewResultsPath => Path.Combine(_options.OutputDirectory, "version-skew.json");

    /// <summary>Path of the Markdown report.</summary>
    public string ReportPath => Path.Combine(_options.OutputDirectory, "online.md");

    /// <summary>The version-skew part's results of the last <see cref="Run"/>.</summary>
    public IReadOnlyList<VersionSkewResult> SkewResults { get; private set; } = [];

    /// <summary>
    /// Runs every seed; returns the daily models' results (also written to <see cref="ResultsPath"/>; the version-skew
    /// part's to <see cref="SkewResultsPath"/> and <see cref="SkewResults"/>; both in <see cref="ReportPath"/>).
    /// </summary>
    public IReadOnlyList<OnlineResult> Run(CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(_options.OutputDirectory);
        var results = new List<OnlineResult>();
        var skew = new List<VersionSkewResult>();
        foreach (int seed in _options.Seeds)
        {
            string dir = Path.Combine(_options.OutputDirectory, $"{_options.Preset}-seed-{seed}");
            var world = WorldOptions.Preset(_options.Preset) with { Seed = seed };
            var files = WorldFolder.Files(world, dir, Report, cancellation);
            var pretraining = _options.Pretraining with { Seed = seed, Tasks = [PretrainingTask.Click, PretrainingTask.Conversion, PretrainingTask.Cart] };
            if (_options.Daily) RunSeed(world, dir, files, pretraining, results.Add, cancellation);
            if (_options.SkewVersions > 0) VersionSkewExperiment.Run(world, _options.SkewVersions, dir, files, pretraining, _options.Dnn, skew.Add, Report, cancellation);
            // A part that is not run keeps its file from an earlier run, and the report shows it.
            if (_options.Daily) ResultsJson.Write(ResultsPath, results);
            if (_options.SkewVersions > 0) ResultsJson.Write(SkewResultsPath, skew);
            File.WriteAllText(ReportPath, OnlineReport.Markdown(_options.Daily ? results : ResultsJson.ReadOrEmpty<OnlineResult>(ResultsPath), _options.Preset)
                + OnlineReport.SkewMarkdown(_options.SkewVersions > 0 ? skew : ResultsJson.ReadOrEmpty<VersionSkewResult>(SkewResultsPath), _options.Preset));
        }
        SkewResults = skew;
        return results;
    }

    private void RunSeed(WorldOptions world, string dir, IReadOnlyDictionary<DatasetSplit, string> files, PretrainingOptions pretraining, Action<OnlineResult> record, CancellationToken cancellation)
    {
        int seed = world.Seed;
        Func<IEnumerable<ImpressionBatch>> sub = () => DayOrderedMerge.Merge(ImpressionFile.Read(files[DatasetSplit.SubTrain]), ImpressionFile.Read(files[DatasetSplit.SubTest]));
        Func<IEnumerable<ImpressionBatch>> Days(int first, int last) => () => RecentDays.From(RecentDays.Before(sub(), last + 1), first);
        int firstDay = world.FirstSubTrainDay, lastDay = world.Days - 1, knowledgeDay = firstDay + _options.KnowledgeDay;

        // The knowledge of every super-domain day before the sub-domain's: with the version-skew part, its published
        // version of those days (pre-trained once for both parts); alone, the paper experiment's full pre-training (same
        // name, same data: a paper run's folder is reused).
        string knowledgePath = WorldFolder.PretrainedPath(dir, "all");
        int firstVersionDay = _options.SkewVersions > 0 ? VersionSkewExperiment.FirstDayAfterV(world, _options.SkewVersions) - 1 : int.MaxValue;
        if (firstVersionDay <= firstDay - 1)
        {
            KnowledgeVersions.Ensure(dir, files, pretraining, firstVersionDay, firstDay - 1, Report, cancellation);
            knowledgePath = KnowledgeVersions.PathOf(dir, firstDay - 1);
        }
        else WorldFolder.Pretrained(dir, "all", pretraining, () => RecentDays.Before(ImpressionFile.Read(files[DatasetSplit.Super]), firstDay), Report, cancellation).Dispose();
        using var knowledge = PretrainedModel.Load(knowledgePath);
        // (d) fine-tunes with an optimizer of its own, as BERT4Rec and S3-Rec fine-tune, which it then carries from day to day.
        var tuned = PretrainedModel.Load(knowledgePath).WithFreshOptimizer();
        var trainer = new KeepDnnTrainer(_options.Dnn with { Seed = seed });
        // One source for the KEEP models, so that each test day's knowledge is computed once for all of them.
        var exact = new MemoizedKnowledge(new ExactKnowledge(knowledge));
        KeepDnn? baseline = null, keep = null, plugged = null, scratch = null;
        try
        {
            for (int day = firstDay; day < lastDay; day++)
            {
                var today = Days(day, day);
                var test = TestRows.Of(Days(day + 1, day + 1)(), Days(firstDay, day)(), [5, 20]);
                double[] seconds = new double[5];
                var clock = Stopwatch.StartNew();
                // (b) starts from the Base DNN as it was after yesterday, before the Base DNN trains on today.
                if (day == knowledgeDay) plugged = trainer.Fit(today, exact, warmStart: baseline, cancellation);
                else if (plugged != null) plugged = trainer.Continue(plugged, today, cancellation: cancellation);
                seconds[1] = Lap(clock);
                baseline = baseline == null ? trainer.Fit(today, (IKnowledgeSource?)null, cancellation: cancellation) : trainer.Continue(baseline, today, cancellation: cancellation);
                seconds[0] = Lap(clock);
                if (day == knowledgeDay) scratch = trainer.Fit(Days(firstDay, day), exact, cancellation: cancellation);
                else if (scratch != null) scratch = trainer.Continue(scratch, today, cancellation: cancellation);
                seconds[2] = Lap(clock);
                tuned = KeepPretrainer.Continue(tuned, today(), cancellation: cancellation);
                seconds[3] = Lap(clock);
                keep = keep == null ? trainer.Fit(today, exact, cancellation: cancellation) : trainer.Continue(keep, today, cancellation: cancellation);
                seconds[4] = Lap(clock);

                float[] reference = [.. test.Batches.SelectMany(baseline.Predict)];
                float[]? scratchScores = scratch == null ? null : [.. test.Batches.SelectMany(scratch.Predict)];
                void Add(string variant, float[] scores, double time, float[]? second = null)
                {
                    var (metrics, paired, text) = test.Scored(scores, variant == BaseDaily ? null : reference, seed, "(a)");
                    var vsScratch = second == null ? null : test.Scored(scores, second, seed, "(c)").Paired;
                    record(new OnlineResult(variant, seed, day, day + 1, metrics.Gauc, metrics.Auc, metrics.Groups, time, paired?.Difference, paired?.StandardError,
                        vsScratch?.Difference, vsScratch?.StandardError));
                    Report($"seed {seed}: trained on day {day}, tested on day {day + 1}: {variant}: {text}"
                        + (vsScratch == null ? "" : $", vs (c) {KEEP.MLNet.Evaluation.DeltaText.Of(vsScratch.Difference)} (paired SE {vsScratch.StandardError:0.0000})"));
                }
                Add(BaseDaily, reference, seconds[0]);
                if (plugged != null) Add(PluggedLater, [.. test.Batches.SelectMany(plugged.Predict)], seconds[1], scratchScores);
                if (scratchScores != null) Add(FromScratch, scratchScores, seconds[2]);
                Add(FineTuned, [.. test.Batches.SelectMany(b => tuned.Predict(b, PretrainingTask.Click))], seconds[3]);
                Add(KeepFromStart, [.. test.Batches.SelectMany(keep.Predict)], seconds[4]);
            }
        }
        finally
        {
            foreach (var model in new[] { baseline, keep, plugged, scratch }) model?.Dispose();
            tuned.Dispose();
        }
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    private void Report(string message) => _progress?.Report(message);
}
