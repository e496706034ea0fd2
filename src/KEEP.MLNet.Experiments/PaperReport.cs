using System.Globalization;
using System.Text;
using static KEEP.MLNet.Experiments.PaperExperiment;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// Renders experiment results as Markdown tables like the paper's: GAUC mean ± standard deviation over
/// seeds, and each variant's gain over its reference as the mean ± standard deviation of the per-seed
/// differences (paired: same world, same test rows), followed by the issue's acceptance checks.
/// </summary>
public static class PaperReport
{
    /// <summary>The Markdown text.</summary>
    public static string Markdown(IReadOnlyList<ExperimentResult> results, string title = "Paper experiments on the simulated world")
    {
        ArgumentNullException.ThrowIfNull(results);
        var all = results;
        // The tables are over worlds: each world's training run 0. Further training runs feed the variance section.
        results = [.. results.Where(r => r.TrainingRun == 0)];
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seeds: {string.Join(", ", seeds)} (one world, pre-training and set of downstream models per seed). GAUC on the sub-domain test days; ± is the standard deviation over seeds; Δ is the mean ± standard deviation of the per-seed difference to the reference. \"Paired 95%\" is the interval of the mean Δ from each seed's paired user bootstrap (1,000 resamples of the test users; the seeds' standard errors pooled as √ΣSE²/n): the test-sampling uncertainty of these worlds and trainings; the spread over seeds adds the worlds' and trainings' own. \"resolved\": the interval excludes 0.");
        text.AppendLine();
        PowerLine(text, results);
        Table(text, results, Reference, "Reference points");
        Table(text, results, Table2, "Table 2 analogue: downstream models");
        KeepVersusCompetitors(text, results);
        Table(text, results, Table3, "Table 3 analogue: knowledge kinds plugged into the KEEP DNN");
        Table(text, results, Table4, "Table 4 analogue: pre-training tasks (all knowledge kinds)");
        Table(text, results, Table5, "Table 5 analogue: conversion and add-to-cart downstream models (clicked test rows; the CTR pair is Table 2's)");
        Table(text, results, Table6, "Table 6 analogue: amount of pre-training data (most recent super-domain days)");
        Table(text, results, Table8, "Table 8 analogue: compressed knowledge for serving (KEEP DNN)");
        Cache(text, results);
        Table(text, results, TableRok, "ROK: retrieval-oriented knowledge (KEEP DNN, sub-domain test days)");
        Buckets(text, results);
        Variance(text, all);
        Checks(text, results);
        return text.ToString();
    }

    /// <summary>Rows in the paper's order.</summary>
    private static readonly string[] Order = [Oracle, Tower, BaseDnn, Merged, SharedBottom, FineTuned, KeepC, KeepDnn, FastTree, FastTreeKeep, LightGbm, LightGbmKeep,
        UserOnly, UserItem, All, TaskVariant(Pretraining.PretrainingTask.Conversion, false), TaskVariant(Pretraining.PretrainingTask.Conversion, true),
        TaskVariant(Pretraining.PretrainingTask.Cart, false), TaskVariant(Pretraining.PretrainingTask.Cart, true), ClickTask, ClickConversion, AllTasks, ExactKui, Decomposition, Degeneration, Combined,
        RetrievalTeacher, RokInstance, RokFields, KeepRok];

    private static void Table(StringBuilder text, IReadOnlyList<ExperimentResult> results, string table, string heading)
    {
        var rows = results.Where(r => r.Table == table).ToList();
        if (rows.Count == 0) return;
        text.AppendLine(CultureInfo.InvariantCulture, $"### {heading}");
        text.AppendLine();
        bool rates = rows.Any(r => r.Details?.ContainsKey(InferenceRateKey) == true);
        bool steps = rows.Any(r => r.Details?.ContainsKey(StepDeltaKey) == true);
        text.AppendLine(CultureInfo.InvariantCulture, $"| model | GAUC | AUC | Δ GAUC | paired 95% | resolved | per seed (paired 95%) | vs | train s |{(rates ? " inference rows/s |" : "")}{(steps ? " Δ vs the row above | paired 95% | resolved |" : "")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|---|---|---|---|---|---|---|---|{(rates ? "---|" : "")}{(steps ? "---|---|---|" : "")}");
        foreach (string variant in rows.Select(r => r.Variant).Distinct().OrderBy(v => Array.IndexOf(Order, v) is int i and >= 0 ? i : int.MaxValue).ThenBy(v => PretrainingDaysOf(rows, v)))
        {
            var of = rows.Where(r => r.Variant == variant).ToList();
            string delta = "", vs = "", interval = "", resolved = "", perSeed = "";
            if (ReferenceOf(table, variant) is { } reference)
            {
                var gains = Differences(results, table, variant, reference.Table, reference.Variant);
                if (gains.Count > 0)
                {
                    delta = PlusMinus(gains, signed: true);
                    vs = reference.Variant;
                }
                var paired = of.Where(r => r.Details?.ContainsKey(PairedDeltaKey) == true).OrderBy(r => r.Seed).ToList();
                if (paired.Count > 0)
                {
                    var (low, high) = PooledInterval(paired);
                    interval = $"[{Signed(low)}, {Signed(high)}]";
                    resolved = Resolved(low, high);
                    perSeed = PerSeed(paired, PairedDeltaKey, PairedStandardErrorKey);
                }
            }
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant} | {PlusMinus([.. of.Select(r => r.Gauc)])} | {PlusMinus([.. of.Select(r => r.Auc)])} | {delta} | {interval} | {resolved} | {perSeed} | {vs} | {of.Average(r => r.Seconds):F0} |{(rates ? $" {Rate(of)} |" : "")}{(steps ? $" {Step(of)} |" : "")}");
        }
        text.AppendLine();
    }

    /// <summary>
    /// The KEEP DNN against each competitor family of Table 2, paired on the same test rows (<see cref="KeepDeltaKey"/>):
    /// the paper's claim is that KEEP is above them all, which their gains over Base, each with its own interval, cannot
    /// resolve when they are close.
    /// </summary>
    private static void KeepVersusCompetitors(StringBuilder text, IReadOnlyList<ExperimentResult> results)
    {
        var rows = results.Where(r => r.Table == Table2 && r.Details?.ContainsKey(KeepDeltaKey) == true).ToList();
        if (rows.Count == 0) return;
        text.AppendLine("### KEEP DNN against the competitors (paired on the same test rows)");
        text.AppendLine();
        text.AppendLine("| competitor | KEEP DNN − competitor | paired 95% | resolved | per seed (paired 95%) |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var of in rows.GroupBy(r => r.Variant).OrderBy(g => Array.IndexOf(Order, g.Key)))
        {
            var seeds = of.OrderBy(r => r.Seed).ToList();
            var (low, high) = PooledInterval(seeds, KeepDeltaKey, KeepStandardErrorKey);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {of.Key} | {PlusMinus([.. seeds.Select(r => r.Details![KeepDeltaKey])], signed: true)} | [{Signed(low)}, {Signed(high)}] | {Resolved(low, high)} | {PerSeed(seeds, KeepDeltaKey, KeepStandardErrorKey)} |");
        }
        text.AppendLine();
    }

    /// <summary>
    /// A row's paired comparison with the row above it (<see cref="StepDeltaKey"/>), pooled over its seeds like the
    /// comparison with the reference: "Δ | [low, high] | resolved" cells; empty cells for a row without one.
    /// </summary>
    private static string Step(IReadOnlyList<ExperimentResult> rows)
    {
        var stepped = rows.Where(r => r.Details?.ContainsKey(StepDeltaKey) == true).ToList();
        if (stepped.Count == 0) return " | |";
        var (low, high) = PooledInterval(stepped, StepDeltaKey, StepStandardErrorKey);
        return $"{PlusMinus([.. stepped.Select(r => r.Details![StepDeltaKey])], signed: true)} | [{Signed(low)}, {Signed(high)}] | {Resolved(low, high)}";
    }

    /// <summary>Whether an interval excludes 0, as the tables' "resolved" cell says it.</summary>
    private static string Resolved(double low, double high) => low > 0 ? "yes, > 0" : high < 0 ? "yes, < 0" : "no";

    /// <summary>Each seed's own 95% interval of <paramref name="deltaKey"/>: the "per seed (paired 95%)" cell.</summary>
    private static string PerSeed(IEnumerable<ExperimentResult> rows, string deltaKey, string seKey)
        => string.Join("; ", rows.Select(r =>
        {
            var (low, high) = PooledInterval([r], deltaKey, seKey);
            return $"{r.Seed}: [{Signed(low)}, {Signed(high)}]";
        }));

    /// <summary>The 95% interval of the mean paired Δ over the rows' seeds: mean ± 1.96 · √(Σ SE²) / n.</summary>
    internal static (double Low, double High) PooledInterval(IReadOnlyList<ExperimentResult> rows, string? bucket = null)
        => bucket == null
            ? PooledInterval(rows, PairedDeltaKey, PairedStandardErrorKey)
            : PooledInterval(rows, BucketKey(PairedDeltaKey, bucket), BucketKey(PairedStandardErrorKey, bucket));

    /// <summary>The 95% interval of the mean of the rows' <paramref name="deltaKey"/> with standard errors <paramref name="seKey"/>.</summary>
    private static (double Low, double High) PooledInterval(IReadOnlyList<ExperimentResult> rows, string deltaKey, string seKey)
    {
        double mean = rows.Average(r => r.Details![deltaKey]);
        double se = Math.Sqrt(rows.Sum(r => r.Details![seKey] * r.Details![seKey])) / rows.Count;
        return (mean - 1.96 * se, mean + 1.96 * se);
    }

    /// <summary>The power of the experiment: the paired standard error of KEEP DNN − Base DNN per seed and the test users behind it.</summary>
    private static void PowerLine(StringBuilder text, IReadOnlyList<ExperimentResult> results)
    {
        var keep = results.Where(r => r.Table == Table2 && r.Variant == KeepDnn && r.Details?.ContainsKey(PairedStandardErrorKey) == true).OrderBy(r => r.Seed).ToList();
        if (keep.Count == 0) return;
        text.AppendLine(CultureInfo.InvariantCulture, $"Power: the paired standard error of KEEP DNN − Base DNN is {string.Join(", ", keep.Select(r => $"{r.Details![PairedStandardErrorKey]:0.0000} (seed {r.Seed}, {r.Details![PairedGroupsKey]:N0} test users with a click and a non-click)"))}; pooled over the seeds {Math.Sqrt(keep.Sum(r => r.Details![PairedStandardErrorKey] * r.Details![PairedStandardErrorKey])) / keep.Count:0.0000}.");
        text.AppendLine();
    }

    private static string Signed(double value) => KEEP.MLNet.Evaluation.DeltaText.Of(value);

    /// <summary>Table 6 rows sort by the days of pre-training data; other variants have none (0).</summary>
    private static double PretrainingDaysOf(IEnumerable<ExperimentResult> rows, string variant)
        => rows.FirstOrDefault(r => r.Variant == variant)?.Details?.GetValueOrDefault(PretrainingDaysKey) ?? 0;

    private const string InferenceRateKey = "inferenceRowsPerSecond";

    private static string Rate(List<ExperimentResult> rows)
    {
        var values = rows.Where(r => r.Details?.ContainsKey(InferenceRateKey) == true).Select(r => r.Details![InferenceRateKey]).ToList();
        return values.Count == 0 ? "" : values.Average().ToString("N0", CultureInfo.InvariantCulture);
    }

    private static void Cache(StringBuilder text, IReadOnlyList<ExperimentResult> results)
    {
        var rows = results.Where(r => r.Table == Table8 && r.Variant == Combined && r.Details != null).ToList();
        if (rows.Count == 0) return;
        double Mean(string key) => rows.Average(r => r.Details![key]);
        text.AppendLine(CultureInfo.InvariantCulture, $"Cached entries N_u + N_i + N_uc = {Mean("users"):N0} + {Mean("items"):N0} + {Mean("userCategories"):N0} = {Mean("entries"):N0}, " +
            $"against N_u × N_i = {Mean("pairs"):N0} pairs ({Mean("pairs") / Mean("entries"):N0}× fewer). Fit on held-out super-domain rows: " +
            $"R² of K̂_u ⊙ K̂_i {Mean("decompositionR2"):F3}, of the degenerate K_uc {Mean("degenerationR2"):F3}; compression takes {Mean("compressSeconds"):F0} s (means over seeds).");
        text.AppendLine();
    }

    private static void Buckets(StringBuilder text, IReadOnlyList<ExperimentResult> results)
    {
        var keep = results.Where(r => r.Table == Table2 && r.Variant == KeepDnn).ToList();
        if (keep.Count == 0) return;
        text.AppendLine("### Table 7 analogue: KEEP DNN − Base DNN by user sparsity (sub-domain training rows per user)");
        text.AppendLine();
        text.AppendLine("| users with | GAUC users (per seed, mean) | Base DNN GAUC | KEEP DNN GAUC | Δ GAUC | paired 95% | resolved |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (string bucket in keep[0].Buckets.Keys)
        {
            var baseValues = Values(results, Table2, BaseDnn, r => r.Buckets[bucket]);
            var keepValues = Values(results, Table2, KeepDnn, r => r.Buckets[bucket]);
            var gains = BucketGains(results, bucket);
            string groups = "", interval = "", resolved = "";
            var paired = keep.Where(r => r.Details?.ContainsKey(BucketKey(PairedDeltaKey, bucket)) == true).ToList();
            if (paired.Count > 0)
            {
                groups = paired.Average(r => r.Details![BucketKey(PairedGroupsKey, bucket)]).ToString("N0", CultureInfo.InvariantCulture);
                var (low, high) = PooledInterval(paired, bucket);
                interval = $"[{Signed(low)}, {Signed(high)}]";
                resolved = Resolved(low, high);
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"| {bucket} rows | {groups} | {PlusMinus(baseValues)} | {PlusMinus(keepValues)} | {PlusMinus(gains, signed: true)} | {interval} | {resolved} |");
        }
        text.AppendLine();
    }

    /// <summary>
    /// How much of Δ's spread is the world's and how much the training's: for each variant measured in more than one
    /// training run, the standard deviation of its paired Δ over the worlds (training run 0 of each) and over the
    /// training runs of one world (pooled over the worlds that have several), beside the mean paired standard error
    /// (the test sampling alone).
    /// </summary>
    private static void Variance(StringBuilder text, IReadOnlyList<ExperimentResult> all)
    {
        var variants = all.Where(r => r.TrainingRun > 0 && r.Details?.ContainsKey(PairedDeltaKey) == true).Select(r => (r.Table, r.Variant)).Distinct().ToList();
        if (variants.Count == 0) return;
        text.AppendLine("### World variance and training variance of Δ GAUC");
        text.AppendLine();
        text.AppendLine("| model | vs | worlds | SD of Δ over worlds | worlds × training runs | SD of Δ over training runs of one world | mean paired SE (test sampling) |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (table, variant) in variants.OrderBy(v => Array.IndexOf(Order, v.Variant)))
        {
            var rows = all.Where(r => r.Table == table && r.Variant == variant && r.Details?.ContainsKey(PairedDeltaKey) == true).ToList();
            var worlds = rows.Where(r => r.TrainingRun == 0).Select(r => r.Details![PairedDeltaKey]).ToList();
            var within = rows.GroupBy(r => r.Seed).Where(g => g.Count() > 1).Select(g => g.Select(r => r.Details![PairedDeltaKey]).ToList()).ToList();
            double pooledWithin = within.Count == 0 ? double.NaN : Math.Sqrt(within.Sum(g => Std(g) * Std(g) * (g.Count - 1)) / within.Sum(g => g.Count - 1));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {variant} | {ReferenceOf(table, variant)?.Variant} | {worlds.Count} | {Std(worlds):0.0000} | {within.Count} × {(within.Count == 0 ? 0 : within.Average(g => g.Count)):0.#} | {pooledWithin:0.0000} | {rows.Average(r => r.Details![PairedStandardErrorKey]):0.0000} |");
        }
        text.AppendLine();
    }

    private static void Checks(StringBuilder text, IReadOnlyList<ExperimentResult> results)
    {
        text.AppendLine("### Acceptance checks");
        text.AppendLine();
        var gain = Differences(results, Table2, KeepDnn, Table2, BaseDnn);
        if (gain.Count > 0)
        {
            double mean = gain.Average(), std = Std(gain);
            Check(text, mean >= 0.005 && mean > 2 * std, $"KEEP DNN − Base DNN ≥ +0.005 GAUC and > 2 std: {KEEP.MLNet.Evaluation.DeltaText.Of(mean)} ± {std:0.0000}");
        }
        var order = new[] { UserOnly, UserItem, All }.Select(v => Values(results, Table3, v, r => r.Gauc)).ToList();
        if (order.All(v => v.Count > 0))
        {
            var means = order.Select(v => v.Average()).ToList();
            Check(text, means[0] < means[1] && means[1] < means[2], $"K_u < +K_i < +K_ui: {means[0]:0.0000} / {means[1]:0.0000} / {means[2]:0.0000}");
        }
        var buckets = results.FirstOrDefault(r => r.Table == Table2 && r.Variant == KeepDnn)?.Buckets.Keys.ToList();
        if (buckets is { Count: > 1 })
        {
            double sparse = BucketGains(results, buckets[0]).Average(), dense = BucketGains(results, buckets[^1]).Average();
            Check(text, sparse > dense, $"sparse users ({buckets[0]} rows) gain more than dense ({buckets[^1]} rows): {KEEP.MLNet.Evaluation.DeltaText.Of(sparse)} vs {KEEP.MLNet.Evaluation.DeltaText.Of(dense)}");
        }
        var table6 = results.Where(r => r.Table == Table6).ToList();
        var amounts = table6.Select(r => r.Variant).Distinct().OrderBy(v => PretrainingDaysOf(table6, v))
            .Select(v => Differences(results, Table6, v, Table2, BaseDnn)).Where(g => g.Count > 0).Select(g => g.Average()).ToList();
        if (amounts.Count > 1)
            Check(text, amounts.Zip(amounts.Skip(1)).All(p => p.First <= p.Second), $"more pre-training data, larger gain (paper Table 6): {string.Join(" → ", amounts.Select(g => KEEP.MLNet.Evaluation.DeltaText.Of(g)))}");
        var compressed = Differences(results, Table8, Combined, Table8, ExactKui);
        if (compressed.Count > 0) Check(text, compressed.Average() >= -0.002, $"combined compression loses ≤ 0.002 GAUC against exact K_ui (issue 6): {KEEP.MLNet.Evaluation.DeltaText.Of(compressed.Average())} ± {Std(compressed):0.0000}");
        var trees = Differences(results, Table2, FastTreeKeep, Table2, FastTree);
        if (trees.Count > 0) Check(text, trees.Average() > 0, $"FastTree + KEEP beats FastTree: {KEEP.MLNet.Evaluation.DeltaText.Of(trees.Average())} ± {Std(trees):0.0000}");
        text.AppendLine();
    }

    private static void Check(StringBuilder text, bool ok, string what) => text.AppendLine(CultureInfo.InvariantCulture, $"- {(ok ? "met" : "**not met**")}: {what}");

    private static List<double> BucketGains(IReadOnlyList<ExperimentResult> results, string bucket)
        => Paired(results, Table2, KeepDnn, Table2, BaseDnn, r => r.Buckets[bucket]);

    private static List<double> Differences(IReadOnlyList<ExperimentResult> results, string table, string variant, string referenceTable, string reference)
        => Paired(results, table, variant, referenceTable, reference, r => r.Gauc);

    private static List<double> Paired(IReadOnlyList<ExperimentResult> results, string table, string variant, string referenceTable, string reference, Func<ExperimentResult, double> value)
        => [.. from a in results where a.Table == table && a.Variant == variant
               join b in results.Where(r => r.Table == referenceTable && r.Variant == reference) on a.Seed equals b.Seed
               select value(a) - value(b)];

    private static List<double> Values(IReadOnlyList<ExperimentResult> results, string table, string variant, Func<ExperimentResult, double> value)
        => [.. results.Where(r => r.Table == table && r.Variant == variant).Select(value)];

    private static string PlusMinus(List<double> values, bool signed = false)
    {
        if (values.Count == 0) return "";
        string mean = signed ? KEEP.MLNet.Evaluation.DeltaText.Of(values.Average()) : values.Average().ToString("0.0000", CultureInfo.InvariantCulture);
        return values.Count == 1 ? mean : $"{mean} ± {Std(values).ToString("0.0000", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Sample standard deviation (n − 1); 0 for one value.</summary>
    internal static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
