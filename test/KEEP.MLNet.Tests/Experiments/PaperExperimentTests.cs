using System.Text.Json;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class PaperExperimentTests
{
    internal static PaperExperimentOptions Options(string folder, params int[] tables) => new()
    {
        Preset = "tiny",
        Seeds = [5],
        OutputDirectory = folder,
        Tables = tables.ToHashSet(),
        TreeTrainers = false,
        SampleMerging = false,
        Pretraining = new PretrainingOptions { BatchSize = 500 },
        Dnn = new KeepDnnOptions { Layers = [32, 16], AttentionLayers = [8], PluginHidden = [16], BatchSize = 256 },
        Rok = KEEP.MLNet.Tests.Retrieval.RokTests.Small,
    };

    [TestMethod]
    public void Tables_run_separately_accumulate_in_one_report_and_reuse_the_checkpoint()
    {
        string folder = TestWorlds.TempFolder("paper");
        var first = new PaperExperiment(Options(folder, 2));
        var results = first.Run();
        CollectionAssert.IsSubsetOf(new[] { PaperExperiment.Oracle, PaperExperiment.Tower, PaperExperiment.BaseDnn, PaperExperiment.KeepDnn },
            results.Select(r => r.Variant).ToArray());
        Assert.IsTrue(results.All(r => r.Gauc is > 0 and < 1 && r.Buckets.Count == 3), string.Join("\n", results));
        string checkpoint = Directory.GetFiles(folder, "knowledge-all.keep", SearchOption.AllDirectories).Single();
        var written = File.GetLastWriteTimeUtc(checkpoint);

        var second = new PaperExperiment(Options(folder, 3)).Run();
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(checkpoint), "the pre-trained model is reused, not trained again");
        Assert.IsTrue(second.Any(r => r.Table == PaperExperiment.Table2), "Table 2 results of the first run are kept");
        Assert.IsTrue(second.Any(r => r.Table == PaperExperiment.Table3 && r.Variant == PaperExperiment.UserOnly));
        Assert.AreEqual(second.Count, second.Select(r => (r.Table, r.Variant, r.Seed)).Distinct().Count(), "a rerun replaces, never duplicates");

        using var json = JsonDocument.Parse(File.ReadAllText(first.ResultsPath));
        Assert.AreEqual(second.Count, json.RootElement.GetArrayLength());
        string report = File.ReadAllText(first.ReportPath);
        StringAssert.Contains(report, "Table 3 analogue");
        StringAssert.Contains(report, "| KEEP DNN |");
        StringAssert.Contains(report, "K_u < +K_i < +K_ui");
    }

    [TestMethod]
    public void Report_differences_are_paired_per_seed()
    {
        var buckets = new Dictionary<string, double> { ["0–5"] = 0.5, ["6–20"] = 0.5, [">20"] = 0.5 };
        ExperimentResult Result(string variant, int seed, double gauc) => new(PaperExperiment.Table2, variant, seed, gauc, 0.7, 10, 1, buckets);
        // Seeds differ a lot in level but KEEP is always exactly 0.01 above Base: the paired spread is 0.
        var results = new[] { Result("Base DNN", 1, 0.60), Result("KEEP DNN", 1, 0.61), Result("Base DNN", 2, 0.70), Result("KEEP DNN", 2, 0.71) };
        string report = PaperReport.Markdown(results);
        StringAssert.Contains(report, "| KEEP DNN | 0.6600 ± 0.0707 | 0.7000 ± 0.0000 | +0.0100 ± 0.0000 | Base DNN |");
        StringAssert.Contains(report, "met: KEEP DNN − Base DNN ≥ +0.005 GAUC and > 2 std: +0.0100 ± 0.0000");
    }
}
