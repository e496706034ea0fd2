using System.Text.Json;
using KEEP.MLNet.Experiments.Online;
using KEEP.MLNet.Tests.Cli;
using static KEEP.MLNet.Experiments.Online.OnlineExperiment;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class OnlineExperimentTests
{
    [TestMethod]
    public void Keep_experiment_online_trains_day_by_day_and_pairs_every_model_with_the_daily_base_dnn()
    {
        string folder = TestWorlds.TempFolder("online");
        var (code, text) = CliRunner.Run("experiment", "online", "--preset", "tiny", "--out", folder, "--knowledge-day", "1", "--skew-versions", "2", "--json");
        Assert.AreEqual(0, code, text);
        using var json = JsonDocument.Parse(text);
        Charts.AssertRendered(json.RootElement.GetProperty("chart").GetString()!);
        var results = JsonSerializer.Deserialize<List<OnlineResult>>(File.ReadAllText(Path.Combine(folder, "online.json")))!;
        var world = KEEP.MLNet.Data.Simulation.WorldOptions.Preset("tiny");
        int first = world.FirstSubTrainDay, knowledgeDay = first + 1;
        var testDays = Enumerable.Range(first + 1, world.Days - first - 1).ToArray();
        CollectionAssert.AreEqual(testDays, results.Select(r => r.TestDay).Distinct().Order().ToArray(), "trained on each sub-domain day, tested on the next");
        foreach (int day in testDays)
        {
            var of = results.Where(r => r.TestDay == day).ToDictionary(r => r.Variant);
            Assert.IsTrue(of.ContainsKey(BaseDaily) && of.ContainsKey(FineTuned) && of.ContainsKey(KeepFromStart), $"day {day}: {string.Join(", ", of.Keys)}");
            Assert.AreEqual(day > knowledgeDay, of.ContainsKey(PluggedLater), $"day {day}: the plug-in joins at the knowledge day");
            Assert.AreEqual(day > knowledgeDay, of.ContainsKey(FromScratch));
            foreach (var r in of.Values.Where(r => r.Variant != BaseDaily))
                Assert.AreEqual(r.Gauc - of[BaseDaily].Gauc, r.PairedDelta!.Value, 1e-9, $"{r.Variant}, day {day}: paired Δ is the difference on the same rows");
            if (of.TryGetValue(PluggedLater, out var plugged))
                Assert.AreEqual(plugged.Gauc - of[FromScratch].Gauc, plugged.DeltaVsScratch!.Value, 1e-9, $"day {day}: (b) paired with (c) on the same rows");
        }
        // With the skew part, the daily models read its published version of the days before the sub-domain's: one pre-training for both.
        string seedFolder = Path.Combine(folder, "tiny-seed-1");
        Assert.IsTrue(File.Exists(KnowledgeVersionPath(seedFolder, first - 1)), "the version of the days before the sub-domain's");
        Assert.IsFalse(File.Exists(Path.Combine(seedFolder, "knowledge-all.keep")), "no second pre-training of the same days");
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "online.md")), "| (a) Base DNN, continued daily |");

        // Version skew: the model trained against v, served with v + 1 and v + 2, aligned, and after one more day.
        var skew = JsonSerializer.Deserialize<List<VersionSkewResult>>(File.ReadAllText(Path.Combine(folder, "version-skew.json")))!;
        var served = skew.Select(r => $"{r.Variant} {r.VersionsAhead}").ToList();
        CollectionAssert.AreEquivalent(new[]
        {
            "pinned v 0", "served v + k 1", "served v + k 2", "served v + k aligned to v 0", "served v + k aligned to v 1", "served v + k aligned to v 2",
            "one more day on v, served v 0", "one more day on v + 1, served v + 1 1",
        }, served);
        var pinned = skew.Single(r => r.VersionsAhead == 0 && r.PairedDelta == null);
        foreach (var r in skew.Where(r => r != pinned))
            Assert.AreEqual(r.Gauc - pinned.Gauc, r.PairedDelta!.Value, 1e-9, $"{r.Variant} {r.VersionsAhead}: paired with the pinned model on the same rows");
        // v aligned to itself is v: no cost while versions match.
        Assert.AreEqual(pinned.Gauc, skew.Single(r => r.Variant.EndsWith("aligned to v", StringComparison.Ordinal) && r.VersionsAhead == 0).Gauc, 2e-3);
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "online.md")), "## Knowledge version skew on the tiny world");
        Assert.AreEqual(skew.Count, json.RootElement.GetProperty("versionSkew").GetArrayLength());

        // Rerunning one part (its versions reused from the folder) leaves the other part's results and report in place.
        string daily = File.ReadAllText(Path.Combine(folder, "online.json"));
        var (again, againText) = CliRunner.Run("experiment", "online", "--preset", "tiny", "--out", folder, "--skip-daily", "--skew-versions", "2", "--quiet");
        Assert.AreEqual(0, again, againText);
        Assert.AreEqual(daily, File.ReadAllText(Path.Combine(folder, "online.json")));
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "online.md")), "| (a) Base DNN, continued daily |");
        var rerun = JsonSerializer.Deserialize<List<VersionSkewResult>>(File.ReadAllText(Path.Combine(folder, "version-skew.json")))!;
        Assert.AreEqual(skew.Single(r => r.Variant == "served v + k" && r.VersionsAhead == 1).Gauc, rerun.Single(r => r.Variant == "served v + k" && r.VersionsAhead == 1).Gauc, 1e-12,
            "same seed, same saved versions: the same skew result");
    }

    [TestMethod]
    public void The_report_pools_each_days_paired_intervals_over_the_seeds()
    {
        OnlineResult Row(string variant, int seed, double gauc, double? delta = null, double? se = null) => new(variant, seed, 5, 6, gauc, 0.7, 100, 1, delta, se);
        var results = new[]
        {
            Row(BaseDaily, 1, 0.60), Row(BaseDaily, 2, 0.70), Row(PluggedLater, 1, 0.61, 0.010, 0.004), Row(PluggedLater, 2, 0.712, 0.012, 0.003),
        };
        string report = OnlineReport.Markdown(results, "default");
        // (a) 0.65; (b) mean 0.011, SE √(0.004² + 0.003²) / 2 = 0.0025.
        StringAssert.Contains(report, "| 6 | 0.6500 | +0.0110 [+0.0061, +0.0159] |  |  |  |  |");
    }

    [TestMethod]
    public void The_report_pairs_b_with_c_and_gives_each_worlds_mean_delta_and_their_spread()
    {
        OnlineResult Row(string variant, int seed, int day, double delta, double? vsScratch = null)
            => new(variant, seed, day - 1, day, 0.6 + delta, 0.7, 100, 1, delta, 0.002, vsScratch, vsScratch == null ? null : 0.004);
        var results = new List<OnlineResult>();
        foreach (int seed in new[] { 1, 2 })
        {
            results.Add(Row(FineTuned, seed, 6, 0.5)); // before the knowledge day: not in the per-world means
            foreach (int day in new[] { 7, 8 })
            {
                results.Add(Row(FromScratch, seed, day, seed == 1 ? 0.010 : 0.020));
                results.Add(Row(PluggedLater, seed, day, day == 7 ? 0.004 : 0.008, day == 7 ? -0.006 : -0.002));
                results.Add(Row(FineTuned, seed, day, 0.001 * seed));
            }
        }
        string report = OnlineReport.Markdown(results, "default");
        // Day 7, (b) − (c): mean −0.006, SE √(2 · 0.004²) / 2 = 0.00283 → ±0.0055.
        StringAssert.Contains(report, "| -0.0060 [-0.0115, -0.0005] |");
        // (c): worlds +0.0100 and +0.0200, SD 0.0071; (d) +0.0010 and +0.0020 (day 6's +0.5 left out), SD 0.0007.
        StringAssert.Contains(report, "| (c) KEEP DNN from scratch at the knowledge day | +0.0100 | +0.0200 | 0.0071 |");
        StringAssert.Contains(report, "| (d) pre-trained network fine-tuned daily | +0.0010 | +0.0020 | 0.0007 |");
    }

    private static string KnowledgeVersionPath(string dir, int lastDay) => Path.Combine(dir, $"knowledge-v-days-0-{lastDay}.keep");
}
