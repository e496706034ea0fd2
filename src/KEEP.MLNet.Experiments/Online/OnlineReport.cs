using System.Globalization;
using System.Text;
using static KEEP.MLNet.Experiments.Online.OnlineExperiment;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>
/// The online experiment as Markdown: per test day, the Base DNN's GAUC and every other daily model's paired Δ
/// against it, pooled over the seeds as the paper report pools them (mean Δ ± 1.96 · √ΣSE² / n).
/// </summary>
public static class OnlineReport
{
    /// <summary>The variants in the report's column order.</summary>
    public static readonly IReadOnlyList<string> Variants = [BaseDaily, PluggedLater, FromScratch, FineTuned, KeepFromStart];

    /// <summary>The Markdown text.</summary>
    public static string Markdown(IReadOnlyList<OnlineResult> results, string preset)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) return "";
        var text = new StringBuilder();
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Online learning on the {preset} world");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seeds: {string.Join(", ", seeds)}. Each model trains on day d starting from its model of day d − 1 and is tested on day d + 1. (a) GAUC is the mean over seeds; every other column is its Δ GAUC against (a) on the same rows with the pooled paired 95% interval (user bootstrap, 500 resamples per seed and day).");
        text.AppendLine();
        text.AppendLine("| test day | " + string.Join(" | ", Variants) + " | (b) − (c) |");
        text.AppendLine("|---|" + string.Concat(Variants.Select(_ => "---|")) + "---|");
        foreach (int day in results.Select(r => r.TestDay).Distinct().Order())
        {
            var cells = new List<string>();
            foreach (string variant in Variants)
            {
                var rows = results.Where(r => r.TestDay == day && r.Variant == variant).ToList();
                if (rows.Count == 0) cells.Add("");
                else if (variant == BaseDaily) cells.Add(rows.Average(r => r.Gauc).ToString("0.0000", CultureInfo.InvariantCulture));
                else
                {
                    cells.Add(Interval(Pooled(rows)));
                }
            }
            var versus = results.Where(r => r.TestDay == day && r.DeltaVsScratch != null).Select(r => (r.DeltaVsScratch, r.StandardErrorVsScratch)).ToList();
            cells.Add(versus.Count == 0 ? "" : Interval(Pooled(versus)));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {day} | {string.Join(" | ", cells)} |");
        }
        text.AppendLine();
        if (seeds.Count > 1) AppendWorlds(text, results, seeds);
        return text.ToString();
    }

    // Each world's Δ against (a), averaged over the days every variant is tested, so that world variance can be read beside the pooled intervals.
    private static void AppendWorlds(StringBuilder text, IReadOnlyList<OnlineResult> results, IReadOnlyList<int> seeds)
    {
        var days = results.Where(r => r.Variant == FromScratch).Select(r => r.TestDay).Distinct().ToHashSet();
        if (days.Count == 0) return;
        text.AppendLine(CultureInfo.InvariantCulture, $"Per world, Δ GAUC against (a) averaged over test days {string.Join(", ", days.Order())} (the days every model is tested); the last column is the standard deviation over worlds.");
        text.AppendLine();
        text.AppendLine("| model | " + string.Join(" | ", seeds.Select(s => $"world {s}")) + " | SD over worlds |");
        text.AppendLine("|---|" + string.Concat(seeds.Select(_ => "---|")) + "---|");
        foreach (string variant in Variants.Skip(1))
        {
            var means = seeds.Select(seed => results.Where(r => r.Variant == variant && r.Seed == seed && days.Contains(r.TestDay)).Select(r => r.PairedDelta ?? 0).DefaultIfEmpty(double.NaN).Average()).ToList();
            var known = means.Where(m => !double.IsNaN(m)).ToList();
            double sd = known.Count > 1 ? Math.Sqrt(known.Sum(m => (m - known.Average()) * (m - known.Average())) / (known.Count - 1)) : double.NaN;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {variant} | {string.Join(" | ", means.Select(m => double.IsNaN(m) ? "" : KEEP.MLNet.Evaluation.DeltaText.Of(m)))} | {(double.IsNaN(sd) ? "" : sd.ToString("0.0000", CultureInfo.InvariantCulture))} |");
        }
        text.AppendLine();
    }

    /// <summary>The version-skew part as Markdown: each way of serving, its paired Δ against the pinned version pooled over the seeds.</summary>
    public static string SkewMarkdown(IReadOnlyList<VersionSkewResult> results, string preset)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) return "";
        var text = new StringBuilder();
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Knowledge version skew on the {preset} world");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seeds: {string.Join(", ", seeds)}. A KEEP DNN trained against knowledge version v, tested on the test days after the first, served with newer versions (v + k: pre-training continued k more super-domain days), with those versions aligned to v, and after one more day of training. Δ GAUC against the pinned model on the same rows, pooled paired 95% interval (user bootstrap, 500 resamples per seed).");
        text.AppendLine();
        text.AppendLine("| served | k | GAUC | Δ vs pinned v |");
        text.AppendLine("|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.Variant, r.VersionsAhead)))
        {
            var rows = group.ToList();
            string delta = group.Key.Variant == VersionSkewExperiment.Pinned ? "" : Interval(Pooled(rows.Select(r => (r.PairedDelta, r.PairedStandardError))));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Variant} | {group.Key.VersionsAhead} | {rows.Average(r => r.Gauc):0.0000} | {delta} |");
        }
        text.AppendLine();
        return text.ToString();
    }

    private static string Interval((double Mean, double Low, double High) pooled)
        => string.Create(CultureInfo.InvariantCulture, $"{KEEP.MLNet.Evaluation.DeltaText.Of(pooled.Mean)} [{KEEP.MLNet.Evaluation.DeltaText.Of(pooled.Low)}, {KEEP.MLNet.Evaluation.DeltaText.Of(pooled.High)}]");

    /// <summary>Mean paired Δ of the rows and its 95% interval, the seeds' standard errors pooled.</summary>
    public static (double Mean, double Low, double High) Pooled(IReadOnlyList<OnlineResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Pooled(rows.Select(r => (r.PairedDelta, r.PairedStandardError)));
    }

    private static (double Mean, double Low, double High) Pooled(IEnumerable<(double? Delta, double? StandardError)> rows)
    {
        var list = rows.ToList();
        double mean = list.Average(r => r.Delta ?? 0);
        double se = Math.Sqrt(list.Sum(r => (r.StandardError ?? 0) * (r.StandardError ?? 0))) / list.Count;
        return (mean, mean - 1.96 * se, mean + 1.96 * se);
    }
}
