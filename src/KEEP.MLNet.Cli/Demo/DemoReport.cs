using System.Globalization;
using System.Text;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Cli.Demo;

/// <summary>Writes the demo's report folder: <c>report.md</c> (tables and charts), the PNG charts and <c>results.json</c>.</summary>
internal static class DemoReport
{
    public static DemoResults Write(DemoResults results, PretrainedModel knowledge)
    {
        string folder = Path.GetDirectoryName(results.Report)!;
        Directory.CreateDirectory(folder);
        var charts = Charts(results, folder);
        if (knowledge.History.Losses.Count > 1)
        {
            string pretraining = Path.Combine(folder, "pretraining-loss.png");
            ReportCharts.PretrainingLoss(pretraining, knowledge.History, knowledge.Options.Tasks);
            charts.Add(pretraining);
        }
        results = results with { Charts = charts };
        File.WriteAllText(results.Report, Markdown(results));
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(results, CliJson.Options));
        return results;
    }

    /// <summary>GAUC per model; KEEP's gain per user-activity bucket; the DNNs' training loss (the pre-training loss per task is added by <see cref="Write"/>).</summary>
    private static List<string> Charts(DemoResults results, string folder)
    {
        var charts = new List<string>();
        string gauc = Path.Combine(folder, "gauc.png");
        ReportCharts.Bars(gauc, "GAUC on the sub-domain test day", "GAUC", [.. results.Models.Select(m => (m.Name, m.Gauc))]);
        charts.Add(gauc);
        var pairs = new[] { ("Base DNN", "KEEP DNN", "DNN"), ("FastTree", "FastTree + KEEP", "FastTree") }
            .Select(p => (Base: results.Models.FirstOrDefault(m => m.Name == p.Item1), Keep: results.Models.FirstOrDefault(m => m.Name == p.Item2), p.Item3))
            .Where(p => p.Base != null && p.Keep != null).ToList();
        if (pairs.Count > 0)
        {
            string gains = Path.Combine(folder, "gain-by-activity.png");
            var bars = pairs.SelectMany(p => p.Keep!.GaucByActivity.Keys.Where(p.Base!.GaucByActivity.ContainsKey)
                .Select(bucket => ($"{p.Item3} {bucket}", p.Keep.GaucByActivity[bucket] - p.Base.GaucByActivity[bucket]))).ToList();
            ReportCharts.Bars(gains, "KEEP − Base GAUC by the user's sub-domain training rows", "Δ GAUC", bars, floor: Math.Min(0, bars.Min(b => b.Item2)) - 0.01);
            charts.Add(gains);
        }
        var curves = results.Models.Where(m => m.Losses is { Count: > 1 }).Select(m => (m.Name, (IReadOnlyList<double>)m.Losses!)).ToList();
        if (curves.Count > 0)
        {
            string loss = Path.Combine(folder, "training-loss.png");
            ReportCharts.Lines(loss, $"Training loss (mean over {KeepDnnTrainer.LossWindow} steps)", $"window of {KeepDnnTrainer.LossWindow} steps", "log-loss", curves);
            charts.Add(loss);
        }
        return charts;
    }

    public static string Markdown(DemoResults results)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var options = results.World;
        text.AppendLine("# KEEP demo report");
        text.AppendLine();
        text.AppendLine(c, $"World: {options.Users:N0} users, {options.Items:N0} items, {options.Days} days, seed {options.Seed}. " +
            $"Knowledge model: {results.PretrainingRows:N0} super-domain rows in {results.PretrainingSeconds:F0} s; extraction {results.ExtractionRowsPerSecond:N0} rows/s. Total {results.Seconds / 60:F1} min.");
        text.AppendLine();
        text.AppendLine("## Downstream models on the sub-domain test days");
        text.AppendLine();
        text.AppendLine("| model | knowledge | GAUC | AUC | log-loss | users | train s | zip |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var m in results.Models)
            text.AppendLine(c, $"| {m.Name} | {(m.WithKnowledge ? "yes" : "no")} | {m.Gauc:F4} | {m.Auc:F4} | {m.LogLoss:F4} | {m.Users:N0} | {m.TrainSeconds:F0} | {Path.GetFileName(m.Zip)} |");
        text.AppendLine();
        foreach (var comparison in results.Comparisons)
            text.AppendLine(c, $"- **{comparison.Model} − {comparison.Reference}**: {KEEP.MLNet.Evaluation.DeltaText.Of(comparison.Difference)} GAUC, paired user-bootstrap 95% interval [{KEEP.MLNet.Evaluation.DeltaText.Of(comparison.Low)}, {KEEP.MLNet.Evaluation.DeltaText.Of(comparison.High)}] over {comparison.Users:N0} test users with a click and a non-click — {comparison.Verdict}.");
        text.AppendLine();
        text.AppendLine("GAUC is the impression-weighted mean of per-user AUC over users with both clicks and non-clicks (the paper's metric).");
        text.AppendLine();
        foreach (string chart in results.Charts) text.AppendLine(c, $"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})").AppendLine();
        if (results.Models.Count > 0)
        {
            text.AppendLine("## GAUC by the user's sub-domain training rows (paper Table 7)");
            text.AppendLine();
            var buckets = results.Models[0].GaucByActivity.Keys.ToList();
            text.AppendLine("| model | " + string.Join(" | ", buckets.Select(b => b + " rows")) + " |");
            text.AppendLine("|---|" + string.Concat(buckets.Select(_ => "---|")));
            foreach (var m in results.Models)
                text.AppendLine(c, $"| {m.Name} | {string.Join(" | ", buckets.Select(b => m.GaucByActivity.TryGetValue(b, out double g) ? g.ToString("F4", c) : ""))} |");
            text.AppendLine();
        }
        text.AppendLine("## Saved models reloaded with PredictionEngine");
        text.AppendLine();
        text.AppendLine("| model | user | item | clicked | in memory | reloaded |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var p in results.Predictions)
            text.AppendLine(c, $"| {p.Model} | {p.UserId} | {p.ItemId} | {(p.Clicked ? "yes" : "no")} | {p.InMemory:F5} | {p.Reloaded:F5} |");
        return text.ToString();
    }
}
