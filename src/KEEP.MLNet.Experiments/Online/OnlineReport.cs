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
        var text = new StringBuilder();
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Online learning on the {preset} world");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seeds: {string.Join(", ", seeds)}. Each model trains on day d starting from its model of day d − 1 and is tested on day d + 1. (a) GAUC is the mean over seeds; every other column is its Δ GAUC against (a) on the same rows with the pooled paired 95% interval (user bootstrap, 500 resamples per seed and day).");
        text.AppendLine();
        text.AppendLine("| test day | " + string.Join(" | ", Variants) + " |");
        text.AppendLine("|---|" + string.Concat(Variants.Select(_ => "---|")));
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
                    var (mean, low, high) = Pooled(rows);
                    cells.Add(string.Create(CultureInfo.InvariantCulture, $"{mean:+0.0000;-0.0000} [{low:+0.0000;-0.0000}, {high:+0.0000;-0.0000}]"));
                }
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"| {day} | {string.Join(" | ", cells)} |");
        }
        text.AppendLine();
        return text.ToString();
    }

    /// <summary>Mean paired Δ of the rows and its 95% interval, the seeds' standard errors pooled.</summary>
    public static (double Mean, double Low, double High) Pooled(IReadOnlyList<OnlineResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double mean = rows.Average(r => r.PairedDelta ?? 0);
        double se = Math.Sqrt(rows.Sum(r => (r.PairedStandardError ?? 0) * (r.PairedStandardError ?? 0))) / rows.Count;
        return (mean, mean - 1.96 * se, mean + 1.96 * se);
    }
}
