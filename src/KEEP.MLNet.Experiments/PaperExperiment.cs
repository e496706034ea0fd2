using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Serving;
using KEEP.MLNet.Serving.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// The paper's offline experiments on simulated worlds, one world per seed: Table 2 (Base DNN, sample
/// merging, KEEP DNN; FastTree and LightGbm with and without knowledge), Table 3 (K_u, +K_i, +K_ui),
/// Table 4 (pre-training tasks click, +conversion, +cart) and Table 7 (gain by user sparsity), all measured
/// by GAUC on the sub-domain test days, with the true click probability as the ceiling. Results are
/// written to <c>results.json</c> after every seed; worlds and checkpoints already in the output
/// directory are reused, so an interrupted run continues where it stopped.
/// </summary>
public sealed partial class PaperExperiment
{
    /// <summary>Table names, as in the report.</summary>
    public const string Reference = "Reference", Table2 = "Table 2", Table3 = "Table 3", Table4 = "Table 4", Table5 = "Table 5", Table6 = "Table 6", Table8 = "Table 8", TableRok = "ROK";

    /// <summary>Variant names, as in the report.</summary>
    public const string Oracle = "Oracle (true click probability)", Tower = "Pre-trained click tower, no downstream training",
        BaseDnn = "Base DNN", Merged = "Sample merging DNN", KeepDnn = "KEEP DNN", FastTree = "FastTree", FastTreeKeep = "FastTree + KEEP",
        LightGbm = "LightGbm", LightGbmKeep = "LightGbm + KEEP", UserOnly = "K_u", UserItem = "K_u + K_i", All = "K_u + K_i + K_ui",
        ClickTask = "click", ClickConversion = "click + conversion", AllTasks = "click + conversion + cart",
        ExactKui = "exact K_ui", Decomposition = "decomposition", Degeneration = "degeneration", Combined = "both (Eq. 6)",
        RetrievalTeacher = "Retrieval teacher (RIM-style, retrieval at inference)", RokInstance = "ROK instance-wise", RokFields = "ROK feature-wise",
        KeepRok = "KEEP + ROK instance-wise";

    /// <summary>The reference row of the sub-domain's test rows scored by another subsystem's true click mechanism (the paper's site only).</summary>
    public static string OracleOf(string subsystem) => $"Oracle with the {subsystem} click mechanism";

    private readonly PaperExperimentOptions _options;
    private readonly IProgress<string>? _progress;
    private readonly IReadOnlyList<int> _table6Days;

    /// <summary>Creates the experiment.</summary>
    public PaperExperiment(PaperExperimentOptions options, IProgress<string>? progress = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (_options.Seeds.Count == 0) throw new ArgumentException("Give at least one seed.", nameof(options));
        var world = WorldOf(_options.Seeds[0]);
        world.Validate();
        int trainDays = PretrainingDaysOf(world);
        _table6Days = _options.PretrainingDays ?? PaperExperimentOptions.DefaultPretrainingDays(trainDays);
        foreach (int days in _table6Days)
            if (days < 0 || days >= trainDays)
                throw new ArgumentException($"PretrainingDays (keep's --recent-days): Table 6 pre-trains on the most recent 1 to {trainDays - 1} days of the {_options.Preset} world's {trainDays} pre-training days (0: the untrained control); {days} is outside that.", nameof(options));
        _progress = progress;
    }

    /// <summary>Detail keys of a variant's paired comparison with its reference (<see cref="ReferenceOf"/>) on the seed's test rows.</summary>
    public const string PairedDeltaKey = "pairedDelta", PairedStandardErrorKey = "pairedStandardError", PairedGroupsKey = "pairedGroups";

    /// <summary>
    /// Detail keys of a row's paired comparison with the row above it, in the tables whose claims are steps (Table 3: K_u,
    /// +K_i, +K_ui; Table 4: click, +conversion, +cart; Table 6: more days of pre-training data): this row − the one above.
    /// </summary>
    public const string StepDeltaKey = "stepDelta", StepStandardErrorKey = "stepStandardError", StepGroupsKey = "stepGroups";

    /// <summary>
    /// Detail keys of a Table 2 competitor's paired comparison with the KEEP DNN on the seed's test rows (the paper's
    /// claim that KEEP is above its competitors): KEEP DNN − this competitor.
    /// </summary>
    public const string KeepDeltaKey = "keepDelta", KeepStandardErrorKey = "keepStandardError", KeepGroupsKey = "keepGroups";

    /// <summary>The Table 2 variants KEEP is compared with directly (<see cref="KeepDeltaKey"/>): the paper's competitor families.</summary>
    public static readonly IReadOnlyList<string> CompetitorFamilies = [Merged, SharedBottom, FineTuned, KeepC];

    /// <summary>The detail key of a paired measurement (<see cref="PairedDeltaKey"/> …) within one user-sparsity bucket (Table 7; KEEP DNN only).</summary>
    public static string BucketKey(string key, string bucket) => $"{key}:{bucket}";

    /// <summary>
    /// What a variant's gain is measured against: the Base DNN for the DNN variants and every knowledge ablation, the
    /// tree without knowledge for a tree with it, exact K_ui for compressed knowledge; null for the reference points.
    /// </summary>
    public static (string Table, string Variant)? ReferenceOf(string table, string variant) => table switch
    {
        Table2 => variant switch
        {
            Merged or KeepDnn or SharedBottom or FineTuned or KeepC => (Table2, BaseDnn),
            FastTreeKeep => (Table2, FastTree),
            LightGbmKeep => (Table2, LightGbm),
            _ => null,
        },
        Table3 or Table4 or Table6 => (Table2, BaseDnn),
        Table5 => variant.EndsWith(" KEEP DNN", StringComparison.Ordinal) ? (Table5, variant.Replace(" KEEP DNN", " Base DNN", StringComparison.Ordinal)) : null,
        Table8 => variant == ExactKui ? null : (Table8, ExactKui),
        TableRok => variant == BaseDnn ? null : (TableRok, BaseDnn),
        _ => null,
    };

    /// <summary>Days of super-domain data the knowledge is pre-trained on: those before the sub-domain's training days, or every training day.</summary>
    public static int PretrainingDaysOf(WorldOptions world)
    {
        ArgumentNullException.ThrowIfNull(world);
        return world.FirstSubTrainDay > 0 ? world.FirstSubTrainDay : world.TrainDays;
    }

    /// <summary>Path of the JSON results.</summary>
    public string ResultsPath => Path.Combine(_options.OutputDirectory, "results.json");

    /// <summary>Path of the Markdown report.</summary>
    public string ReportPath => Path.Combine(_options.OutputDirectory, "results.md");

    /// <summary>Runs every seed; returns every result row (also written to <see cref="ResultsPath"/>).</summary>
    public IReadOnlyList<ExperimentResult> Run(CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(_options.OutputDirectory);
        var results = ResultsJson.ReadOrEmpty<ExperimentResult>(ResultsPath);
        foreach (int seed in _options.Seeds)
            foreach (int training in _options.TrainingRuns)
                RunSeed(seed, training, result =>
                {
                    // A measurement replaces the earlier one of the same table, variant, world seed and training seed.
                    results.RemoveAll(r => r.Table == result.Table && r.Variant == result.Variant && r.Seed == result.Seed && r.TrainingRun == result.TrainingRun);
                    results.Add(result);
                    Save(results);
                }, cancellation);
        return results;
    }

    /// <summary>Writes the results so far (JSON and Markdown), so an interrupted run keeps what it measured.</summary>
    private void Save(List<ExperimentResult> results)
    {
        ResultsJson.Write(ResultsPath, results);
        File.WriteAllText(ReportPath, PaperReport.Markdown(results, $"Paper experiments on the {_options.Preset} simulated world"));
    }

    /// <summary>The seed of training run <paramref name="training"/> on world <paramref name="seed"/>: the world's own seed for run 0.</summary>
    public static int TrainingSeedOf(int seed, int training) => training == 0 ? seed : seed + 1_000 * training;

    private void RunSeed(int worldSeed, int training, Action<ExperimentResult> record, CancellationToken cancellation)
    {
        string dir = Path.Combine(_options.OutputDirectory, $"{_options.Preset}-seed-{worldSeed}");
        // Training run t > 0 retrains every model on the same world with another seed; its checkpoints carry the run's number.
        string run = training == 0 ? "" : $"-training-{training}";
        int seed = TrainingSeedOf(worldSeed, training);
        string label = training == 0 ? $"seed {worldSeed}" : $"seed {worldSeed} training {training}";
        // Tables 6, 8 and 9 keep checkpoints of their own per world: they run in training run 0 only.
        var tables = training == 0 ? _options.Tables : _options.Tables.Where(t => t <= 5).ToHashSet();
        var world = WorldOf(worldSeed);
        var files = Dataset(world, dir);
        var test = TestRows.Load(files[DatasetSplit.SubTest], files[DatasetSplit.SubTrain], _options.SparsityBounds);
        var scored = new Dictionary<(string Table, string Variant), float[]>();
        void Add(string table, string variant, float[] scores, double seconds, Dictionary<string, double>? details = null, TestRows? rows = null, string? previous = null)
        {
            rows ??= test;
            var (overall, buckets) = rows.Evaluate(scores);
            scored[(table, variant)] = scores;
            // Paired over the same test rows (or those of one bucket): users resampled with replacement, both GAUCs on
            // each resample; the comparison's Δ (compared − reference) and SE go to the row's details under the given keys.
            string Paired(float[] reference, float[] compared, (string Delta, string Error, string Groups) keys, string name, int[]? only = null)
            {
                T[] Of<T>(T[] all) => only == null ? all : [.. only.Select(i => all[i])];
                var comparison = GaucComparison.Of(Of(reference), Of(compared), Of(rows.Labels), Of(rows.Users), resamples: 1_000, seed: seed);
                details = new Dictionary<string, double>(details ?? [])
                {
                    [keys.Delta] = comparison.Difference,
                    [keys.Error] = comparison.StandardError,
                    [keys.Groups] = comparison.Groups,
                };
                return $", {name} {KEEP.MLNet.Evaluation.DeltaText.Of(comparison.Difference)} (paired SE {comparison.StandardError:0.0000})";
            }

            string paired = "";
            if (ReferenceOf(table, variant) is { } reference && scored.TryGetValue(reference, out var referenceScores))
            {
                paired = Paired(referenceScores, scores, (PairedDeltaKey, PairedStandardErrorKey, PairedGroupsKey), $"vs {reference.Variant}");
                // Table 7 with intervals: the same paired comparison within each user-sparsity bucket.
                if (table == Table2 && variant == KeepDnn)
                    foreach (string bucket in rows.BucketNames)
                        Paired(referenceScores, scores, (BucketKey(PairedDeltaKey, bucket), BucketKey(PairedStandardErrorKey, bucket), BucketKey(PairedGroupsKey, bucket)),
                            bucket, [.. Enumerable.Range(0, scores.Length).Where(i => rows.Buckets[i] == bucket)]);
            }
            // The paper's claim that KEEP is above its competitors, on the same users: KEEP DNN − this competitor.
            if (table == Table2 && CompetitorFamilies.Contains(variant) && scored.TryGetValue((Table2, KeepDnn), out var keepScores))
                paired += Paired(scores, keepScores, (KeepDeltaKey, KeepStandardErrorKey, KeepGroupsKey), "KEEP DNN − this");
            if (previous != null && scored.TryGetValue((table, previous), out var previousScores))
                paired += Paired(previousScores, scores, (StepDeltaKey, StepStandardErrorKey, StepGroupsKey), $"vs {previous}");
            record(new ExperimentResult(table, variant, worldSeed, overall.Gauc, overall.Auc, overall.Groups, seconds, buckets, details) { TrainingRun = training });
            Report($"{label}: {table} {variant}: GAUC {overall.Gauc:F4}, AUC {overall.Auc:F4}{paired} ({seconds:F0} s)");
        }

        var oracle = new ClickOracle(new World(world));
        Add(Reference, Oracle, [.. test.Batches.SelectMany(b => oracle.Scores(b, subDomain: true))], 0);
        // The other subsystems' true click mechanisms ranking the ads: how much a model of the rest of the site can know of
        // the sub-domain's clicks at best, which is what merging the domains and sharing a bottom rely on.
        foreach (var other in world.Subsystems?.Where(s => !s.IsSubDomain) ?? [])
            Add(Reference, OracleOf(other.Name), [.. test.Batches.SelectMany(b => oracle.Scores(b, other.Name))], 0);

        var pretraining = _options.Pretraining with { Seed = seed };
        // The paper's protocol (§6.1): pre-training on the super-domain days before the sub-domain's training days;
        // the cross-domain models (sample merging) on the super-domain of the sub-domain's training days. A world
        // whose sub-domain trains on every training day (the shared-click worlds) pre-trains and merges on them all.
        int firstSubTrainDay = world.FirstSubTrainDay;
        Func<IEnumerable<ImpressionBatch>> super = firstSubTrainDay > 0
            ? () => RecentDays.Before(ImpressionFile.Read(files[DatasetSplit.Super]), firstSubTrainDay)
            : () => ImpressionFile.Read(files[DatasetSplit.Super]);
        Func<IEnumerable<ImpressionBatch>> crossDomainSuper = () => RecentDays.From(ImpressionFile.Read(files[DatasetSplit.Super]), firstSubTrainDay);
        pretraining = pretraining with { Tasks = [PretrainingTask.Click, PretrainingTask.Conversion, PretrainingTask.Cart] };
        using var full = Pretrained(dir, "all" + run, pretraining, super, cancellation);
        Add(Reference, Tower, [.. test.Batches.SelectMany(b => full.Predict(b, PretrainingTask.Click))], 0);

        var dnn = _options.Dnn with { Seed = seed };
        Func<IEnumerable<ImpressionBatch>> subTrain = () => ImpressionFile.Read(files[DatasetSplit.SubTrain]);
        var inference = new Dictionary<string, double>();
        // Scores the test rows, or the rows a model of another label is evaluated on (Table 5: the clicked rows).
        (float[] Scores, double Seconds) Dnn(Func<IEnumerable<ImpressionBatch>> data, IKnowledgeSource? knowledge, PretrainingTask label = PretrainingTask.Click, TestRows? on = null)
        {
            var clock = Stopwatch.StartNew();
            using var model = new KeepDnnTrainer(dnn with { Label = label }).Fit(data, knowledge, cancellation: cancellation);
            double seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            float[] scores = [.. (on ?? test).Batches.SelectMany(model.Predict)];
            inference = InferenceRate(scores.Length, clock.Elapsed.TotalSeconds);
            return (scores, seconds);
        }

        // Base and KEEP DNN are the references of every table; they are trained whatever tables are run.
        var (scores, time) = Dnn(subTrain, null);
        Add(Table2, BaseDnn, scores, time);
        if (tables.Contains(9)) Add(TableRok, BaseDnn, scores, time, inference);
        (scores, time) = Dnn(subTrain, new ExactKnowledge(full));
        Add(Table2, KeepDnn, scores, time);
        var keepDnn = (scores, time);
        if (tables.Contains(9)) Add(TableRok, KeepDnn, scores, time, inference);
        if (tables.Contains(8)) Add(Table8, ExactKui, scores, time);

        if (tables.Contains(2) && _options.SampleMerging)
        {
            (scores, time) = Dnn(() => DayOrderedMerge.Merge(crossDomainSuper(), subTrain()), null);
            Add(Table2, Merged, scores, time);
        }
        if (tables.Contains(2) && _options.TreeTrainers)
        {
            var ml = new MLContext(seed);
            foreach (var (name, plugged, trainer) in new[] { (FastTree, FastTreeKeep, "fasttree"), (LightGbm, LightGbmKeep, "lightgbm") })
            {
                (scores, time) = Trees(ml, files, trainer, seed, null);
                Add(Table2, name, scores, time);
                (scores, time) = Trees(ml, files, trainer, seed, full);
                Add(Table2, plugged, scores, time);
            }
        }

        if (tables.Contains(2) && _options.Competitors)
            CompetitorRows(dir, run, pretraining, full, crossDomainSuper, subTrain, test, knowledge => Dnn(subTrain, knowledge), AddOn, cancellation);
        if (tables.Contains(5)) TaskModels(test, subTrain, (rows, task) => knowledge => Dnn(subTrain, knowledge, task, rows), full, AddOn);

        if (tables.Contains(3))
        {
            (scores, time) = Dnn(subTrain, new ExactKnowledge(full, KnowledgeKinds.User));
            Add(Table3, UserOnly, scores, time);
            (scores, time) = Dnn(subTrain, new ExactKnowledge(full, KnowledgeKinds.User | KnowledgeKinds.Item));
            Add(Table3, UserItem, scores, time, previous: UserOnly);
            Add(Table3, All, keepDnn.scores, keepDnn.time, previous: UserItem);
        }

        void AddAll(string table, string variant, float[] scores, double seconds, Dictionary<string, double>? details, string? previous) => Add(table, variant, scores, seconds, details, previous: previous);
        void AddOn(string table, string variant, float[] scores, double seconds, Dictionary<string, double>? details, TestRows? rows) => Add(table, variant, scores, seconds, details, rows);
        if (tables.Contains(6)) DataAmountTable(dir, world, pretraining, super, keepDnn, knowledge => Dnn(subTrain, knowledge), AddAll, cancellation);
        if (tables.Contains(8)) CompressionTable(dir, seed, full, files, subTrain, (data, knowledge) => Dnn(data, knowledge), AddAll);
        if (tables.Contains(9)) RokTable(dir, seed, full, files, test, subTrain, knowledge => (Dnn(subTrain, knowledge), inference), (table, variant, scores, seconds, details) => Add(table, variant, scores, seconds, details), cancellation);

        if (tables.Contains(4))
        {
            string? previous = null;
            foreach (var (name, tasks) in new (string, PretrainingTask[])[] { (ClickTask, [PretrainingTask.Click]), (ClickConversion, [PretrainingTask.Click, PretrainingTask.Conversion]) })
            {
                using var partial = Pretrained(dir, string.Join("-", tasks).ToLowerInvariant() + run, pretraining with { Tasks = tasks }, super, cancellation);
                (scores, time) = Dnn(subTrain, new ExactKnowledge(partial));
                Add(Table4, name, scores, time, previous: previous);
                previous = name;
            }
            Add(Table4, AllTasks, keepDnn.scores, keepDnn.time, previous: previous);
        }
    }

    /// <summary>
    /// Table 8: the knowledge compressed for serving (decomposition, degeneration, both), published to a file
    /// store in the seed's folder and read back by the KEEP DNN; the cached entries against N_u × N_i.
    /// </summary>
    private void CompressionTable(string dir, int seed, PretrainedModel full, IReadOnlyDictionary<DatasetSplit, string> files, Func<IEnumerable<ImpressionBatch>> subTrain,
        Func<Func<IEnumerable<ImpressionBatch>>, IKnowledgeSource?, (float[] Scores, double Seconds)> dnn, Action<string, string, float[], double, Dictionary<string, double>?, string?> add)
    {
        var clock = Stopwatch.StartNew();
        var compressed = new KnowledgeCompressor(_options.Compression with { Seed = seed }).Fit(full, () => ImpressionFile.Read(files[DatasetSplit.Super]),
            () => subTrain().Concat(ImpressionFile.Read(files[DatasetSplit.SubTest])), _progress);
        double compressSeconds = clock.Elapsed.TotalSeconds;
        string version = $"seed-{seed}";
        using var store = new FileKnowledgeStore(Path.Combine(dir, "knowledge-store"));
        if (store.Versions().Contains(version)) version = $"{version}-{DateTime.UtcNow:yyyyMMddHHmmss}";
        store.Publish(version, compressed.ToTables());
        var details = new Dictionary<string, double>
        {
            ["users"] = compressed.Users.Count, ["items"] = compressed.Items.Count, ["userCategories"] = compressed.UserCategories.Count,
            ["entries"] = compressed.Entries, ["pairs"] = (double)compressed.Users.Count * compressed.Items.Count,
            ["decompositionR2"] = compressed.Fit.DecompositionHoldoutR2, ["degenerationR2"] = compressed.Fit.DegenerationHoldoutR2,
            ["compressSeconds"] = compressSeconds,
        };
        foreach (var (name, layout) in new[] { (Decomposition, CachedKnowledgeLayout.Decomposition), (Degeneration, CachedKnowledgeLayout.Degeneration), (Combined, CachedKnowledgeLayout.Combined) })
        {
            var (scores, time) = dnn(subTrain, new CachedKnowledge(store, version, layout));
            add(Table8, name, scores, time, details, null);
        }
    }

    /// <summary>An ML.NET pipeline on the hashed base features (2^10 slots per id), with KEEP knowledge appended when a model is given.</summary>
    private static (float[] Scores, double Seconds) Trees(MLContext ml, IReadOnlyDictionary<DatasetSplit, string> files, string trainer, int seed, PretrainedModel? knowledge)
    {
        var clock = Stopwatch.StartNew();
        var model = DownstreamPipelines.Create(ml, trainer, ImpressionColumns.Click, seed, knowledge, hashBits: 10).Fit(ImpressionFile.Load(files[DatasetSplit.SubTrain], 50));
        double seconds = clock.Elapsed.TotalSeconds;
        var scores = model.Transform(ImpressionFile.Load(files[DatasetSplit.SubTest], 50)).GetColumn<float>("Score").ToArray();
        return (scores, seconds);
    }

    /// <summary>The world of one seed: the preset, with the test days' traffic this experiment samples.</summary>
    internal WorldOptions WorldOf(int seed) => WorldOptions.Preset(_options.Preset) with { Seed = seed, TestTrafficScale = _options.TestTrafficScale };

    private IReadOnlyDictionary<DatasetSplit, string> Dataset(WorldOptions world, string dir) => WorldFolder.Files(world, dir, Report);

    private PretrainedModel Pretrained(string dir, string name, PretrainingOptions options, Func<IEnumerable<ImpressionBatch>> super, CancellationToken cancellation)
        => WorldFolder.Pretrained(dir, name, options, super, Report, cancellation);

    private void Report(string message) => _progress?.Report(message);
}
