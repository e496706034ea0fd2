using KEEP.MLNet.Cli.Demo;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>The demo's results on the console: model quality, and the reloaded models' predictions.</summary>
internal static class DemoTables
{
    public static void Write(IAnsiConsole console, DemoResults results)
    {
        var models = new Table().Title("Downstream models, sub-domain test days").AddColumns("model", "knowledge", "GAUC", "AUC", "log-loss", "train s");
        foreach (var m in results.Models)
            models.AddRow(m.Name, m.WithKnowledge ? "yes" : "no", $"{m.Gauc:F4}", $"{m.Auc:F4}", $"{m.LogLoss:F4}", $"{m.TrainSeconds:F0}");
        console.Write(models);
        foreach (var c in results.Comparisons)
            console.MarkupLineInterpolated($"[bold]{c.Model} − {c.Reference}[/]: {KEEP.MLNet.Evaluation.DeltaText.Of(c.Difference)} GAUC, paired 95% interval [[{KEEP.MLNet.Evaluation.DeltaText.Of(c.Low)}, {KEEP.MLNet.Evaluation.DeltaText.Of(c.High)}]] over {c.Users:N0} test users ({c.Verdict})");
        var predictions = new Table().Title("Saved zips reloaded with PredictionEngine").AddColumns("model", "user", "item", "clicked", "in memory", "reloaded");
        foreach (var p in results.Predictions)
            predictions.AddRow(p.Model, $"{p.UserId}", $"{p.ItemId}", p.Clicked ? "yes" : "no", $"{p.InMemory:F5}", $"{p.Reloaded:F5}");
        console.Write(predictions);
        console.MarkupLineInterpolated($"Report: [bold]{results.Report}[/] · models in {Path.GetDirectoryName(results.KnowledgeModel)} · {results.Seconds / 60:F1} min");
    }
}
