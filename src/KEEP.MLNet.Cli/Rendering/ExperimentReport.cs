using System.Globalization;
using System.Text;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Pretraining;
using static KEEP.MLNet.Experiments.PaperExperiment;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>
/// <c>keep report</c>'s output for experiment results: the tables of <see cref="PaperReport"/> and charts —
/// GAUC of Base vs KEEP per trainer, KEEP's gain by user sparsity, the knowledge-type and pre-training-task
/// ablations, the amount of pre-training data, ROK, and the pre-training loss per task (from a knowledge model).
/// </summary>
internal static class ExperimentReport
{
    /// <summary>Writes report.md and the charts into <paramref name="folder"/>; returns the chart paths.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<ExperimentResult> results, string folder, PretrainedModel? knowledge, string title)
    {
        Directory.CreateDirectory(folder);
        var charts = new List<string>();
        void Chart(string name, Action<string> draw)
        {
            string path = Path.Combine(folder, name);
            draw(path);
            charts.Add(path);
        }

        var trainers = new[] { ("DNN", BaseDnn, KeepDnn), ("FastTree", FastTree, FastTreeKeep), ("LightGbm", LightGbm, LightGbmKeep) }
            .SelectMany(t => new[] { ($"{t.Item1} base", Mean(results, Table2, t.Item2)), ($"{t.Item1} KEEP", Mean(results, Table2, t.Item3)) })
            .Where(b => b.Item2 != null).Select(b => (b.Item1, b.Item2!.Value)).ToList();
        if (trainers.Count > 0) Chart("gauc-by-trainer.png", p => ReportCharts.Bars(p, "GAUC, Base vs KEEP per trainer (mean over seeds)", "GAUC", trainers));

        var keep = results.Where(r => r.Table == Table2 && r.Variant == KeepDnn).ToList();
        var gains = keep.FirstOrDefault()?.Buckets.Keys.Select(bucket => ($"{bucket} rows", PairedGain(results, bucket))).Where(g => g.Item2 != null)
            .Select(g => (g.Item1, g.Item2!.Value)).ToList();
        if (gains is { Count: > 0 })
            Chart("gain-by-activity.png", p => ReportCharts.Bars(p, "KEEP DNN − Base DNN GAUC by the user's sub-domain training rows", "Δ GAUC", gains, floor: Math.Min(0, gains.Min(g => g.Item2)) - 0.01));

        var ablation = new[] { (Table2, BaseDnn, "Base DNN"), (Table3, UserOnly, "K_u"), (Table3, UserItem, "+K_i"), (Table3, All, "+K_ui (KEEP)"),
                (Table4, ClickTask, "click"), (Table4, ClickConversion, "+conversion"), (Table4, AllTasks, "+cart (KEEP)") }
            .Select(a => (a.Item3, Mean(results, a.Item1, a.Item2))).Where(a => a.Item2 != null).Select(a => (a.Item1, a.Item2!.Value)).ToList();
        if (ablation.Count > 1) Chart("knowledge-ablation.png", p => ReportCharts.Bars(p, "Knowledge kinds (Table 3) and pre-training tasks (Table 4)", "GAUC", ablation));

        var rok = new[] { BaseDnn, RetrievalTeacher, RokInstance, RokFields, KeepDnn, KeepRok }
            .Select(v => (Short(v), Mean(results, TableRok, v))).Where(v => v.Item2 != null).Select(v => (v.Item1, v.Item2!.Value)).ToList();
        if (rok.Count > 1) Chart("rok.png", p => ReportCharts.Bars(p, "ROK: retrieval-oriented knowledge (KEEP DNN)", "GAUC", rok));

        var amounts = results.Where(r => r.Table == Table6 && r.Details?.ContainsKey(PretrainingDaysKey) == true).GroupBy(r => (int)r.Details![PretrainingDaysKey]).OrderBy(g => g.Key)
            .Select(g => (Label: g.Key == 0 ? "untrained (control)" : $"KEEP, {g.Key} day{(g.Key == 1 ? "" : "s")}", Gauc: g.Average(r => r.Gauc))).ToList();
        if (amounts.Count > 0 && Mean(results, Table2, BaseDnn) is double baseGauc)
            Chart("pretraining-data.png", p => ReportCharts.Bars(p, "Amount of pre-training data (Table 6): most recent super-domain days", "GAUC", [("Base DNN", baseGauc), .. amounts]));

        if (knowledge is { History.Losses.Count: > 1 })
            Chart("pretraining-loss.png", p => ReportCharts.PretrainingLoss(p, knowledge.History, knowledge.Options.Tasks));

        var text = new StringBuilder(PaperReport.Markdown(results, title));
        text.AppendLine("### Charts").AppendLine();
        foreach (string chart in charts) text.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})").AppendLine();
        File.WriteAllText(Path.Combine(folder, "report.md"), text.ToString());
        return charts;
    }

    private static string Short(string variant) => variant == RetrievalTeacher ? "Retrieval teacher" : variant;

    private static double? Mean(IReadOnlyList<ExperimentResult> results, string table, string variant)
    {
        var values = results.Where(r => r.Table == table && r.Variant == variant).Select(r => r.Gauc).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>Mean over seeds of KEEP DNN − Base DNN in one bucket, paired by seed.</summary>
    private static double? PairedGain(IReadOnlyList<ExperimentResult> results, string bucket)
    {
        var gains = results.Where(r => r.Table == Table2 && r.Variant == KeepDnn && r.Buckets.ContainsKey(bucket))
            .Join(results.Where(r => r.Table == Table2 && r.Variant == BaseDnn && r.Buckets.ContainsKey(bucket)), k => k.Seed, b => b.Seed, (k, b) => k.Buckets[bucket] - b.Buckets[bucket])
            .ToList();
        return gains.Count == 0 ? null : gains.Average();
    }
}
