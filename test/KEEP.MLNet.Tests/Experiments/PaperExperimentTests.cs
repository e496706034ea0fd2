using System.Text.Json;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class PaperExperimentTests
{
    internal static PaperExperimentOptions Options(string folder, params int[] tables) => new()
    {
        Preset = "shared-click-tiny",
        Seeds = [5],
        OutputDirectory = folder,
        Tables = tables.ToHashSet(),
        TreeTrainers = false,
        SampleMerging = false,
        Competitors = false,
        Pretraining = new PretrainingOptions { BatchSize = 500 },
        Dnn = new KeepDnnOptions { Layers = [32, 16], AttentionLayers = [8], PluginHidden = [16], BatchSize = 256 },
        Rok = KEEP.MLNet.Tests.Retrieval.RokTests.Small,
    };

    [TestMethod]
    public void Tables_run_separately_accumulate_in_one_report_and_reuse_the_checkpoint()
    {
        string folder = TestWorlds.TempFolder("paper");
        var first = new PaperExperiment(Options(folder, 2) with { Competitors = true });
        var results = first.Run();
        CollectionAssert.IsSubsetOf(new[] { PaperExperiment.Oracle, PaperExperiment.Tower, PaperExperiment.BaseDnn, PaperExperiment.KeepDnn,
            PaperExperiment.SharedBottom, PaperExperiment.FineTuned, PaperExperiment.KeepC }, results.Select(r => r.Variant).ToArray());
        var keep = results.Single(r => r.Variant == PaperExperiment.KeepDnn);
        Assert.IsTrue(keep.Buckets.Keys.All(b => keep.Details!.ContainsKey(PaperExperiment.BucketKey(PaperExperiment.PairedStandardErrorKey, b))), "Table 7: a paired interval per bucket");
        Assert.AreEqual(keep.Details![PaperExperiment.PairedGroupsKey], keep.Buckets.Keys.Sum(b => keep.Details[PaperExperiment.BucketKey(PaperExperiment.PairedGroupsKey, b)]),
            "the buckets split the test users");
        Assert.IsTrue(results.All(r => r.Gauc is > 0 and < 1 && r.Buckets.Count == 3), string.Join("\n", results));
        // Each competitor is compared with the KEEP DNN on the same rows: the paired Δ is the difference of the two GAUCs.
        foreach (string competitor in PaperExperiment.CompetitorFamilies.Where(c => c != PaperExperiment.Merged))
        {
            var row = results.Single(r => r.Variant == competitor);
            Assert.AreEqual(keep.Gauc - row.Gauc, row.Details![PaperExperiment.KeepDeltaKey], 1e-9, competitor);
            Assert.AreEqual(keep.Groups, row.Details[PaperExperiment.KeepGroupsKey]);
            Assert.IsTrue(row.Details[PaperExperiment.KeepStandardErrorKey] > 0);
        }
        string checkpoint = Directory.GetFiles(folder, "knowledge-all.keep", SearchOption.AllDirectories).Single();
        var written = File.GetLastWriteTimeUtc(checkpoint);

        var second = new PaperExperiment(Options(folder, 3, 5)).Run();
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(checkpoint), "the pre-trained model is reused, not trained again");
        Assert.IsTrue(second.Any(r => r.Table == PaperExperiment.Table2), "Table 2 results of the first run are kept");
        Assert.IsTrue(second.Any(r => r.Table == PaperExperiment.Table3 && r.Variant == PaperExperiment.UserOnly));
        Assert.AreEqual(second.Count, second.Select(r => (r.Table, r.Variant, r.Seed)).Distinct().Count(), "a rerun replaces, never duplicates");
        // Table 5: the add-to-cart models are evaluated on the clicked test rows' users with a cart and a non-cart row.
        var files = WorldFolder.Files(first.WorldOf(5), Directory.GetDirectories(folder).Single(), _ => { });
        var clicked = TestRows.Load(files[DatasetSplit.SubTest], files[DatasetSplit.SubTrain], [5, 20]).For(PretrainingTask.Cart);
        foreach (bool knowledge in new[] { false, true })
            Assert.AreEqual(clicked.GaucUsers, second.Single(r => r.Variant == PaperExperiment.TaskVariant(PretrainingTask.Cart, knowledge)).Groups);

        using var json = JsonDocument.Parse(File.ReadAllText(first.ResultsPath));
        Assert.AreEqual(second.Count, json.RootElement.GetArrayLength());
        string report = File.ReadAllText(first.ReportPath);
        StringAssert.Contains(report, "Table 3 analogue");
        StringAssert.Contains(report, "| KEEP DNN |");
        StringAssert.Contains(report, "K_u < +K_i < +K_ui");
        StringAssert.Contains(report, "KEEP DNN against the competitors");
        StringAssert.Contains(report, $"| {PaperExperiment.SharedBottom} | ");
    }

    [TestMethod]
    public void Report_separates_the_worlds_variance_from_the_trainings_and_keeps_further_training_runs_out_of_the_tables()
    {
        var buckets = new Dictionary<string, double> { ["0–5"] = 0.5 };
        ExperimentResult Result(string variant, int seed, int run, double gauc, double? delta = null) => new(PaperExperiment.Table2, variant, seed, gauc, 0.7, 10, 1, buckets,
            delta == null ? null : new Dictionary<string, double> { [PaperExperiment.PairedDeltaKey] = delta.Value, [PaperExperiment.PairedStandardErrorKey] = 0.003, [PaperExperiment.PairedGroupsKey] = 900 })
        { TrainingRun = run };
        var results = new[]
        {
            Result("Base DNN", 1, 0, 0.60), Result("KEEP DNN", 1, 0, 0.61, 0.010), Result("Base DNN", 2, 0, 0.70), Result("KEEP DNN", 2, 0, 0.72, 0.020),
            Result("Base DNN", 1, 1, 0.50), Result("KEEP DNN", 1, 1, 0.514, 0.014),
        };
        string report = PaperReport.Markdown(results);
        // Over worlds: SD(0.010, 0.020) = 0.0071; within world 1: SD(0.010, 0.014) = 0.0028; the tables use run 0 only (mean 0.665, not 0.6147).
        StringAssert.Contains(report, "| KEEP DNN | Base DNN | 2 | 0.0071 | 1 × 2 | 0.0028 | 0.0030 |");
        StringAssert.Contains(report, "| KEEP DNN | 0.6650 ± 0.0778 |");
        StringAssert.Contains(report, "| Base DNN | 0.6500 ± 0.0707 |");
    }

    [TestMethod]
    public void Table_7_buckets_carry_their_users_and_a_paired_interval()
    {
        var buckets = new Dictionary<string, double> { ["0–5"] = 0.5, [">5"] = 0.6 };
        var details = new Dictionary<string, double>
        {
            [PaperExperiment.PairedDeltaKey] = 0.01, [PaperExperiment.PairedStandardErrorKey] = 0.003, [PaperExperiment.PairedGroupsKey] = 900,
            [PaperExperiment.BucketKey(PaperExperiment.PairedDeltaKey, "0–5")] = 0.02, [PaperExperiment.BucketKey(PaperExperiment.PairedStandardErrorKey, "0–5")] = 0.005,
            [PaperExperiment.BucketKey(PaperExperiment.PairedGroupsKey, "0–5")] = 300,
            [PaperExperiment.BucketKey(PaperExperiment.PairedDeltaKey, ">5")] = 0.001, [PaperExperiment.BucketKey(PaperExperiment.PairedStandardErrorKey, ">5")] = 0.004,
            [PaperExperiment.BucketKey(PaperExperiment.PairedGroupsKey, ">5")] = 600,
        };
        var results = new[]
        {
            new ExperimentResult(PaperExperiment.Table2, PaperExperiment.BaseDnn, 1, 0.6, 0.7, 900, 1, buckets),
            new ExperimentResult(PaperExperiment.Table2, PaperExperiment.KeepDnn, 1, 0.61, 0.7, 900, 1, new Dictionary<string, double> { ["0–5"] = 0.52, [">5"] = 0.601 }, details),
        };
        string report = PaperReport.Markdown(results);
        // 0.02 ± 1.96 · 0.005; 0.001 ± 1.96 · 0.004.
        StringAssert.Contains(report, "| 0–5 rows | 300 | 0.5000 | 0.5200 | +0.0200 | [+0.0102, +0.0298] | yes, > 0 |");
        StringAssert.Contains(report, "| >5 rows | 600 | 0.6000 | 0.6010 | +0.0010 | [-0.0068, +0.0088] | no |");
    }

    [TestMethod]
    public void Report_differences_are_paired_per_seed()
    {
        var buckets = new Dictionary<string, double> { ["0–5"] = 0.5, ["6–20"] = 0.5, [">20"] = 0.5 };
        ExperimentResult Result(string variant, int seed, double gauc) => new(PaperExperiment.Table2, variant, seed, gauc, 0.7, 10, 1, buckets);
        // Seeds differ a lot in level but KEEP is always exactly 0.01 above Base: the paired spread is 0.
        var results = new[] { Result("Base DNN", 1, 0.60), Result("KEEP DNN", 1, 0.61), Result("Base DNN", 2, 0.70), Result("KEEP DNN", 2, 0.71) };
        string report = PaperReport.Markdown(results);
        StringAssert.Contains(report, "| KEEP DNN | 0.6600 ± 0.0707 | 0.7000 ± 0.0000 | +0.0100 ± 0.0000 |  |  |  | Base DNN |");
        StringAssert.Contains(report, "met: KEEP DNN − Base DNN ≥ +0.005 GAUC and > 2 std: +0.0100 ± 0.0000");
    }

    [TestMethod]
    public void Report_pools_each_seeds_paired_bootstrap_into_one_interval_and_says_whether_it_resolves()
    {
        var buckets = new Dictionary<string, double> { ["0–5"] = 0.5 };
        ExperimentResult Result(string variant, int seed, double gauc, double? delta = null, double? se = null) => new(PaperExperiment.Table2, variant, seed, gauc, 0.7, 10, 1, buckets,
            delta == null ? null : new Dictionary<string, double> { [PaperExperiment.PairedDeltaKey] = delta.Value, [PaperExperiment.PairedStandardErrorKey] = se!.Value, [PaperExperiment.PairedGroupsKey] = 900 });
        var results = new[]
        {
            Result("Base DNN", 1, 0.60), Result("KEEP DNN", 1, 0.61, 0.010, 0.004), Result("Base DNN", 2, 0.70), Result("KEEP DNN", 2, 0.712, 0.012, 0.003),
            Result("Sample merging DNN", 1, 0.60, -0.001, 0.004), Result("Sample merging DNN", 2, 0.70, 0.002, 0.003),
        };
        string report = PaperReport.Markdown(results);
        // Mean 0.011; pooled SE = sqrt(0.004² + 0.003²) / 2 = 0.0025; ± 1.96 SE. Per seed: Δ ± 1.96 SE.
        StringAssert.Contains(report, "| +0.0110 ± 0.0014 | [+0.0061, +0.0159] | yes, > 0 | 1: [+0.0022, +0.0178]; 2: [+0.0061, +0.0179] | Base DNN |");
        StringAssert.Contains(report, "| [-0.0044, +0.0054] | no |");
        StringAssert.Contains(report, "Power: the paired standard error of KEEP DNN − Base DNN is 0.0040 (seed 1, 900 test users with a click and a non-click), 0.0030 (seed 2, 900 test users with a click and a non-click); pooled over the seeds 0.0025.");
    }

    [TestMethod]
    public void Report_gives_each_step_of_a_table_its_pooled_paired_interval()
    {
        var none = new Dictionary<string, double>();
        Dictionary<string, double> Step(double delta, double se) => new() { [PaperExperiment.StepDeltaKey] = delta, [PaperExperiment.StepStandardErrorKey] = se, [PaperExperiment.StepGroupsKey] = 900 };
        ExperimentResult Row(string variant, int seed, double gauc, Dictionary<string, double>? details = null) => new(PaperExperiment.Table4, variant, seed, gauc, 0.7, 10, 1, none, details);
        var results = new[]
        {
            Row(PaperExperiment.ClickTask, 1, 0.60), Row(PaperExperiment.ClickTask, 2, 0.70),
            Row(PaperExperiment.ClickConversion, 1, 0.61, Step(0.010, 0.004)), Row(PaperExperiment.ClickConversion, 2, 0.712, Step(0.012, 0.003)),
            Row(PaperExperiment.AllTasks, 1, 0.609, Step(-0.001, 0.004)), Row(PaperExperiment.AllTasks, 2, 0.714, Step(0.002, 0.003)),
        };
        string report = PaperReport.Markdown(results);
        StringAssert.Contains(report, "| Δ vs the row above | paired 95% | resolved |");
        // Mean 0.011 ± SD 0.0014; pooled SE = sqrt(0.004² + 0.003²) / 2 = 0.0025; ± 1.96 SE.
        StringAssert.Contains(report, "| +0.0110 ± 0.0014 | [+0.0061, +0.0159] | yes, > 0 |");
        StringAssert.Contains(report, "| +0.0005 ± 0.0021 | [-0.0044, +0.0054] | no |");
        var click = report.Split('\n').Single(l => l.StartsWith($"| {PaperExperiment.ClickTask} |", StringComparison.Ordinal));
        StringAssert.EndsWith(click, "|  | | |", "the first row has no step");
    }

    [TestMethod]
    public void Table_6_pre_trains_on_the_most_recent_days_and_its_full_row_is_the_KEEP_DNN()
    {
        string folder = TestWorlds.TempFolder("paper-table6");
        var experiment = new PaperExperiment(Options(folder, 6) with { PretrainingDays = [1, 0] });
        var results = experiment.Run();
        int trainDays = KEEP.MLNet.Data.Simulation.WorldOptions.Preset("shared-click-tiny").TrainDays;
        var table6 = results.Where(r => r.Table == PaperExperiment.Table6).ToDictionary(r => r.Variant);
        var control = table6[PaperExperiment.DataAmountVariant(0, trainDays)];
        var recent = table6[PaperExperiment.DataAmountVariant(1, trainDays)];
        var full = table6[PaperExperiment.DataAmountVariant(trainDays, trainDays)];
        Assert.AreEqual(3, table6.Count);
        Assert.AreEqual(0, control.Details![PaperExperiment.PretrainingRowsKey], "the control is trained on no row");

        string super = Directory.GetFiles(folder, "super.parquet", SearchOption.AllDirectories).Single();
        var days = KEEP.MLNet.Data.ImpressionFile.Read(super).SelectMany(b => b.Day.ToArray()).ToList();
        Assert.AreEqual(days.Count(d => d == trainDays - 1), recent.Details![PaperExperiment.PretrainingRowsKey], "the last day's rows");
        Assert.AreEqual(days.Count, full.Details![PaperExperiment.PretrainingRowsKey], "every super-domain row");
        string window = Path.Combine(Path.GetDirectoryName(super)!, "knowledge-last-1-days.keep");
        Assert.IsTrue(File.Exists(window), "the window's pre-training is kept for reruns");
        using (var windowModel = KEEP.MLNet.Pretraining.PretrainedModel.Load(window))
        {
            Assert.AreEqual(days.Count(d => d == trainDays - 1), windowModel.History.Rows, "the kept model was trained on the last day's rows only");
            Assert.AreEqual(trainDays - 1, windowModel.History.LastDay);
        }

        var keep = results.Single(r => r.Table == PaperExperiment.Table2 && r.Variant == PaperExperiment.KeepDnn);
        Assert.AreEqual(keep.Gauc, full.Gauc, "the full row is the experiment's KEEP DNN");
        StringAssert.Contains(File.ReadAllText(experiment.ReportPath), "Table 6 analogue");
        // More days against fewer: each row is compared, paired, with the row above it (the control first).
        Assert.IsFalse(control.Details.ContainsKey(PaperExperiment.StepDeltaKey));
        Assert.AreEqual(recent.Gauc - control.Gauc, recent.Details[PaperExperiment.StepDeltaKey], 1e-9);
        Assert.AreEqual(full.Gauc - recent.Gauc, full.Details![PaperExperiment.StepDeltaKey], 1e-9);

        foreach (int outside in new[] { trainDays, -1 })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => new PaperExperiment(Options(folder, 6) with { PretrainingDays = [outside] }));
            StringAssert.Contains(e.Message, $"; {outside} is outside that");
        }
    }

    [TestMethod]
    public void Table_6_defaults_to_the_control_the_last_day_and_the_last_third_of_the_world_s_pre_training_days()
    {
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, PaperExperimentOptions.DefaultPretrainingDays(5).ToArray(), "the default site: 5 days");
        CollectionAssert.AreEqual(new[] { 0, 1, 4 }, PaperExperimentOptions.DefaultPretrainingDays(13).ToArray(), "shared-click: 13 days");
        CollectionAssert.AreEqual(new[] { 0, 1 }, PaperExperimentOptions.DefaultPretrainingDays(4).ToArray(), "a third of 4 is the last day");
        CollectionAssert.AreEqual(new[] { 0 }, PaperExperimentOptions.DefaultPretrainingDays(1).ToArray(), "one day: only the control is shorter");
        // Every preset accepts the default (a fixed 0, 1, 4 once made the tiny site, with 4 pre-training days, refuse to start).
        string folder = TestWorlds.TempFolder("paper-table6-defaults");
        foreach (string preset in KEEP.MLNet.Data.Simulation.WorldOptions.PresetNames)
        {
            int days = PaperExperiment.PretrainingDaysOf(KEEP.MLNet.Data.Simulation.WorldOptions.Preset(preset));
            Assert.IsTrue(PaperExperimentOptions.DefaultPretrainingDays(days).All(d => d < days), preset);
            _ = new PaperExperiment(Options(folder, 6) with { Preset = preset });
        }
    }

    [TestMethod]
    public void Table_6_rows_sort_by_days_and_the_check_reads_the_gains_in_that_order()
    {
        var none = new Dictionary<string, double>();
        ExperimentResult Row(string table, string variant, int days, double gauc)
            => new(table, variant, 1, gauc, 0.7, 10, 1, none, days == 0 ? null : new Dictionary<string, double> { [PaperExperiment.PretrainingDaysKey] = days });
        // Given out of order: 13 days first, then 1, then 4.
        var results = new[]
        {
            Row(PaperExperiment.Table2, PaperExperiment.BaseDnn, 0, 0.600),
            Row(PaperExperiment.Table6, PaperExperiment.DataAmountVariant(13, 13), 13, 0.604),
            Row(PaperExperiment.Table6, PaperExperiment.DataAmountVariant(1, 13), 1, 0.601),
            Row(PaperExperiment.Table6, PaperExperiment.DataAmountVariant(4, 13), 4, 0.602),
        };
        string report = PaperReport.Markdown(results);
        int one = report.IndexOf("last 1 day |", StringComparison.Ordinal), four = report.IndexOf("last 4 days |", StringComparison.Ordinal), all = report.IndexOf("all 13 days |", StringComparison.Ordinal);
        Assert.IsTrue(one > 0 && one < four && four < all, report);
        StringAssert.Contains(report, "met: more pre-training data, larger gain (paper Table 6): +0.0010 → +0.0020 → +0.0040");

        results[3] = Row(PaperExperiment.Table6, PaperExperiment.DataAmountVariant(4, 13), 4, 0.599);
        StringAssert.Contains(PaperReport.Markdown(results), "**not met**: more pre-training data, larger gain (paper Table 6): +0.0010 → -0.0010 → +0.0040");
    }
}
