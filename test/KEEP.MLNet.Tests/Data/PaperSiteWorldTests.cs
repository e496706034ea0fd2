using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Data;

/// <summary>
/// The paper's site (§6.1, Table 1, Figure 1): subsystems with mechanisms of their own, the volumes and rates of
/// Table 1, tastes drifting over days, the pre-training / training / test protocol. Checked against what the
/// generated files hold and against independent computations, not against KEEP's results.
/// </summary>
[TestClass]
public sealed class PaperSiteWorldTests
{
    private static readonly WorldOptions Options = WorldOptions.Preset("tiny");

    private static readonly Lazy<GeneratedDataset> Generated = new(() => DatasetGenerator.Generate(Options, TestWorlds.TempFolder("paper-site")));

    private static DomainSummary Summary(DatasetSplit split) => Generated.Value.Summaries[(int)split];

    [TestMethod]
    public void Volumes_and_rates_follow_table_1()
    {
        var super = Summary(DatasetSplit.Super);
        var train = Summary(DatasetSplit.SubTrain);
        var test = Summary(DatasetSplit.SubTest);
        // Per day the super-domain has ~10x the sub-domain's impressions (Table 1: 5.8e10 over 8 days, 2.1e9 over 3) and
        // ~2x its users; over the paper's spans (8 super-domain days, 2 training + 1 test day of the sub-domain) ~27x.
        double superPerDay = super.Rows / (double)Options.TrainDays, subPerDay = (train.Rows + test.Rows) / (double)(Options.SubTrainDays + Options.TestDays);
        Assert.AreEqual(10.4, superPerDay / subPerDay, 2.0);
        Assert.AreEqual(27.0, superPerDay * 8 / (subPerDay * 3), 6.0);
        Assert.IsGreaterThan(1.6, super.Users / (double)Summary(DatasetSplit.SubTrain).Users);
        // Click-through 3.3% super / 3.9% sub (calibrated per subsystem before the users' interests move on).
        Assert.AreEqual(0.033, super.ClickRate, 0.01);
        Assert.AreEqual(0.039, (train.ClickRate * train.Rows + test.ClickRate * test.Rows) / (train.Rows + test.Rows), 0.012);
        // Carts and conversions per click are about 1%, as in Table 1 (not the shared-click world's 12% and 5%).
        Assert.IsLessThan(0.04, super.CartsPerClick);
        Assert.IsLessThan(0.05, super.ConversionsPerClick);
        Assert.IsGreaterThan(0.0, super.CartsPerClick + super.ConversionsPerClick);
    }

    [TestMethod]
    public void Pre_training_days_come_before_the_sub_domain_training_days_and_the_test_days()
    {
        static (int Min, int Max) Days(string file)
        {
            var days = ImpressionFile.Read(file).SelectMany(b => b.Day.ToArray()).ToArray();
            return (days.Min(), days.Max());
        }
        var files = Generated.Value.Files;
        Assert.AreEqual((0, Options.TrainDays - 1), Days(files[DatasetSplit.Super]));
        Assert.AreEqual((Options.FirstSubTrainDay, Options.TrainDays - 1), Days(files[DatasetSplit.SubTrain]));
        Assert.AreEqual((Options.TrainDays, Options.Days - 1), Days(files[DatasetSplit.SubTest]));
        Assert.AreEqual(2, Options.SubTrainDays);
        Assert.IsGreaterThanOrEqualTo(4, Options.FirstSubTrainDay, "the pre-training days come first");
    }

    [TestMethod]
    public void Most_sub_domain_users_are_sparse_there_and_rich_in_the_super_domain()
    {
        var train = Summary(DatasetSplit.SubTrain);
        Assert.IsLessThanOrEqualTo(2 * Options.ImpressionsPerVisit, train.MedianImpressionsPerUser, "the median sub-domain user saw at most two pages of ads");
        Assert.IsGreaterThan(0.3, train.SparseUserShare, "many sub-domain users have a single visit's impressions or fewer");
        Assert.IsGreaterThan(0.9, Generated.Value.SubUsersSeenInSuper);
        Assert.IsGreaterThan(5 * Options.SparseUserThreshold, Generated.Value.MedianSuperImpressionsOfSparseSubUsers);
    }

    [TestMethod]
    public void Tastes_drift_with_the_chosen_day_to_day_correlation_and_keep_their_variance()
    {
        var world = new World(WorldOptions.Preset("small") with { Users = 4_000 });
        var timeline = new TasteTimeline(world);
        double rho = world.Options.TasteDrift;
        Assert.IsLessThan(1.0, rho);
        var start = timeline.On(0);
        foreach (int day in new[] { 1, 5, 9 })
        {
            var later = timeline.On(day);
            double cross = 0, a2 = 0, b2 = 0;
            for (int k = world.Options.LatentDim; k < start.Length; k++)
            {
                cross += start[k] * later[k];
                a2 += start[k] * start[k];
                b2 += later[k] * later[k];
            }
            Assert.AreEqual(Math.Pow(rho, day), cross / Math.Sqrt(a2 * b2), 0.03, $"correlation after {day} days");
            Assert.AreEqual(1.0, b2 / a2, 0.05, $"variance after {day} days");
        }
        CollectionAssert.AreEqual(timeline.On(5), new TasteTimeline(world).On(5), "a day's taste depends only on the world and the day");
    }

    [TestMethod]
    public void Each_subsystem_responds_by_its_own_mechanism()
    {
        var world = new World(Options);
        var ads = world.Subsystems.Single(s => s.Options.IsSubDomain);
        var products = world.Subsystems.Single(s => s.Options.Name == "products");
        // Own catalogue: ads show only the items of advertising shops.
        var advertised = Enumerable.Range(1, Options.Items).Where(i => ads.Popularity[i] > 0).ToArray();
        Assert.IsTrue(advertised.Length > 0 && advertised.Length < Options.Items * 0.6, $"{advertised.Length} advertised items");
        var advertisingShops = advertised.Select(i => world.ItemShop[i]).ToHashSet();
        Assert.IsTrue(Enumerable.Range(1, Options.Items).Where(i => advertisingShops.Contains(world.ItemShop[i])).All(i => ads.Popularity[i] > 0), "a shop advertises all its items");
        // Own audience and own propensity: half the users see ads; a user's propensity for ads says nothing of products.
        double adUsers = Enumerable.Range(1, Options.Users).Count(u => ads.Activity[u] > 0) / (double)Options.Users;
        Assert.AreEqual(0.5, adUsers, 0.06);
        Assert.AreEqual(0.0, Correlation(ads.Propensity, products.Propensity), 0.1);
        Assert.AreEqual(ads.Options.PropensitySigma, StandardDeviation(ads.Propensity), 0.08);
        Assert.AreEqual(ads.Options.PresentationSigma, StandardDeviation(ads.Presentation), 0.08);
    }

    [TestMethod]
    public void The_oracle_scores_rows_by_any_subsystems_mechanism_and_the_ads_own_ranks_the_ads_best()
    {
        var oracle = new ClickOracle(new World(Options));
        CollectionAssert.AreEqual(new[] { "products", "videos", "ads" }, oracle.Subsystems.ToArray());
        var test = ImpressionFile.Read(Generated.Value.Files[DatasetSplit.SubTest]).ToList();
        var super = ImpressionFile.Read(Generated.Value.Files[DatasetSplit.Super]).First();
        // By name, the same mechanisms as by domain: the ads' for sub-domain rows, the first other subsystem's for the site's.
        CollectionAssert.AreEqual(test.SelectMany(b => oracle.Scores(b, subDomain: true)).ToArray(), test.SelectMany(b => oracle.Scores(b, "ads")).ToArray());
        CollectionAssert.AreEqual(oracle.Scores(super, subDomain: false), oracle.Scores(super, "products"));
        // The ads' clicks were drawn by the ads' mechanism: it ranks them better than the products' or the videos', which
        // share the users' taste and interests and so still rank them better than chance.
        var labels = test.SelectMany(b => b.Click.ToArray()).ToArray();
        double Auc(string subsystem) => KEEP.MLNet.Evaluation.RocAuc.Compute(test.SelectMany(b => oracle.Scores(b, subsystem)).ToArray(), labels);
        double ads = Auc("ads"), products = Auc("products"), videos = Auc("videos");
        Assert.IsTrue(ads > products && ads > videos, $"AUC by the ads' mechanism {ads:F4}, products' {products:F4}, videos' {videos:F4}");
        Assert.IsTrue(products > 0.55 && videos > 0.55, $"products' {products:F4}, videos' {videos:F4}");
        var error = Assert.ThrowsExactly<ArgumentException>(() => oracle.Scores(test[0], "search"));
        StringAssert.Contains(error.Message, "products, videos, ads");
        var sharedClick = new ClickOracle(new World(WorldOptions.Preset("shared-click-tiny")));
        Assert.AreEqual(0, sharedClick.Subsystems.Count);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => sharedClick.Scores(test[0], "ads")).Message, "one shared click model");
    }

    [TestMethod]
    public void More_test_traffic_samples_more_of_the_test_days_and_leaves_the_training_files_as_they_were()
    {
        var scaled = DatasetGenerator.Generate(Options with { TestTrafficScale = 3 }, TestWorlds.TempFolder("test-traffic"));
        foreach (var split in new[] { DatasetSplit.Super, DatasetSplit.SubTrain })
            CollectionAssert.AreEqual(File.ReadAllBytes(Generated.Value.Files[split]), File.ReadAllBytes(scaled.Files[split]), split.ToString());
        var before = Summary(DatasetSplit.SubTest);
        var after = scaled.Summaries[(int)DatasetSplit.SubTest];
        Assert.AreEqual(3.0, after.Rows / (double)before.Rows, 0.3, $"{before.Rows} → {after.Rows} test rows");
        Assert.AreEqual(before.ClickRate, after.ClickRate, 0.01, "the same days' traffic, so the same click-through");
        Assert.IsGreaterThan(before.Users * 1.3, (double)after.Users, "more of the users show up on the test days");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => (Options with { TestTrafficScale = 0.5 }).Validate()).Message, "TestTrafficScale");
    }

    [TestMethod]
    public void The_shared_click_world_is_generated_exactly_as_before_the_site_had_subsystems()
    {
        // Written by commit 1f94405 (before subsystems): keep generate --preset tiny --users 150 --super-rows 3000 --sub-rows 1000.
        string golden = Path.Combine(TestPaths.RepositoryRoot(), "test", "KEEP.MLNet.Tests", "TestData", "shared-click-world-1f94405");
        var options = WorldOptions.Preset("shared-click-tiny") with { Users = 150, SuperImpressions = 3_000, SubImpressions = 1_000 };
        var now = DatasetGenerator.Generate(options, TestWorlds.TempFolder("shared-click-again"));
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            string name = DatasetGenerator.FileStem(split) + ".parquet";
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(golden, name)), File.ReadAllBytes(now.Files[split]), name);
        }
        Assert.AreEqual(options.ToJson(), WorldOptions.Read(Path.Combine(golden, "world.json")).ToJson(), "the earlier world.json reads as the same options");
    }

    [TestMethod]
    public void World_options_round_trip_through_JSON_and_a_generated_world_json_reads_back()
    {
        string folder = TestWorlds.TempFolder("world-json");
        string path = Path.Combine(folder, "world.json");
        var options = Options with { Seed = 5, TasteDrift = 0.9, Subsystems = [.. Options.Subsystems!.Select(s => s.IsSubDomain ? s with { ClickRate = 0.05 } : s)] };
        options.Write(path);
        Assert.AreEqual(options.ToJson(), WorldOptions.Read(path).ToJson());
        Assert.AreEqual(0.05, WorldOptions.Read(path).Subsystems!.Single(s => s.IsSubDomain).ClickRate);

        Assert.AreEqual(Options.ToJson(), WorldOptions.Read(Path.Combine(Generated.Value.Directory, "world.json")).ToJson());

        File.WriteAllText(path, """{ "Users": 100, "Userz": 5 }""");
        var e = Assert.ThrowsExactly<DataFormatException>(() => WorldOptions.Read(path));
        StringAssert.Contains(e.Message, "Userz");
        File.WriteAllText(path, """{ "Users": 100 }""");
        Assert.AreEqual(100, WorldOptions.Read(path).Users, "options not given keep their defaults");
        File.WriteAllText(path, """{ "Subsystems": [ { "Name": "a" }, { "Name": "b" } ] }""");
        var invalid = Assert.ThrowsExactly<ArgumentException>(() => WorldOptions.Read(path));
        StringAssert.Contains(invalid.Message, "exactly one sub-domain");
    }

    private static double StandardDeviation(float[] values)
    {
        double mean = values.Skip(1).Average(v => (double)v);
        return Math.Sqrt(values.Skip(1).Average(v => (v - mean) * (v - mean)));
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Skip(1).Average(v => (double)v), mb = b.Skip(1).Average(v => (double)v), ab = 0, aa = 0, bb = 0;
        for (int k = 1; k < a.Length; k++)
        {
            ab += (a[k] - ma) * (b[k] - mb);
            aa += (a[k] - ma) * (a[k] - ma);
            bb += (b[k] - mb) * (b[k] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
