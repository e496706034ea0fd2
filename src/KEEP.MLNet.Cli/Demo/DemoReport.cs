using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KEEP.MLNet.Cli.Demo;

/// <summary>Writes the demo's report folder: <c>report.md</c> (tables) and <c>results.json</c>.</summary>
internal static class DemoReport
{
    public static void Write(DemoResults results)
    {
        string folder = Path.GetDirectoryName(results.Report)!;
        Directory.CreateDirectory(folder);
        File.WriteAllText(results.Report, Markdown(results));
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(results, CliJson.Options));
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
        text.AppendLine("## Downstream models on the sub-domain test day");
        text.AppendLine();
        text.AppendLine("| model | knowledge | GAUC | AUC | log-loss | users | train s | zip |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var m in results.Models)
            text.AppendLine(c, $"| {m.Name} | {(m.WithKnowledge ? "yes" : "no")} | {m.Gauc:F4} | {m.Auc:F4} | {m.LogLoss:F4} | {m.Users:N0} | {m.TrainSeconds:F0} | {Path.GetFileName(m.Zip)} |");
        text.AppendLine();
        text.AppendLine("GAUC is the impression-weighted mean of per-user AUC over users with both clicks and non-clicks (the paper's metric).");
        text.AppendLine();
        text.AppendLine("## Saved models reloaded with PredictionEngine");
        text.AppendLine();
        text.AppendLine("| model | user | item | clicked | in memory | reloaded |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var p in results.Predictions)
            text.AppendLine(c, $"| {p.Model} | {p.UserId} | {p.ItemId} | {(p.Clicked ? "yes" : "no")} | {p.InMemory:F5} | {p.Reloaded:F5} |");
        return text.ToString();
    }
}
