using System.Text.Json;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Tests.Experiments;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class ReportCommandTests
{
    [TestMethod]
    public void Report_writes_tables_and_every_chart_from_experiment_results()
    {
        string folder = TestWorlds.TempFolder("report");
        var results = new PaperExperiment(PaperExperimentTests.Options(folder, 2, 3, 6, 9) with { PretrainingDays = [1] }).Run();
        Assert.IsTrue(results.Any(r => r.Table == PaperExperiment.TableRok && r.Variant == PaperExperiment.RetrievalTeacher && r.Details!["inferenceRowsPerSecond"] > 0));

        string output = Path.Combine(folder, "report");
        var (code, text) = CliRunner.Run("report", "--results", folder, "--out", output, "--json");
        Assert.AreEqual(0, code, text);
        using var json = JsonDocument.Parse(text);
        var charts = json.RootElement.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).ToList();
        CollectionAssert.AreEquivalent(new[] { "gauc-by-trainer.png", "gain-by-activity.png", "knowledge-ablation.png", "rok.png", "pretraining-data.png", "pretraining-loss.png" },
            charts.Select(Path.GetFileName).ToArray());
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        foreach (string chart in charts)
        {
            StringAssert.Contains(report, $"]({Path.GetFileName(chart)})");
            Charts.AssertRendered(chart);
        }
        StringAssert.Contains(report, "| ROK instance-wise |");
        StringAssert.Contains(report, "inference rows/s");
        StringAssert.Contains(report, "| KEEP DNN, pre-trained on the last 1 day |");
    }

    [TestMethod]
    public void Missing_or_foreign_results_exit_with_1_naming_the_file()
    {
        string folder = TestWorlds.TempFolder("report-bad");
        var (code, text) = CliRunner.Run("report", "--results", Path.Combine(folder, "nothing.json"));
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "nothing.json");
        string foreign = Path.Combine(folder, "results.json");
        File.WriteAllText(foreign, "{ \"not\": \"results\" }");
        (code, text) = CliRunner.Run("report", "--results", foreign);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "is not experiment results");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "report.md")), "no partial report");
    }
}
