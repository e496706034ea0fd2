using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Import;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class TaobaoImportTests
{
    private static readonly long Origin = new DateTimeOffset(2017, 11, 25, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeSeconds();

    private sealed record Behaviour(int User, int Item, int Category, string Type, long Time);

    /// <summary>A small random UserBehavior log, shuffled so that users and days interleave.</summary>
    private static List<Behaviour> RandomLog(int seed)
    {
        var random = new Random(seed);
        var log = new List<Behaviour>();
        for (int user = 1; user <= 30; user++)
            for (int k = 0; k < 25; k++)
            {
                int item = 1 + random.Next(40);
                long time = Origin + random.Next(9 * 86_400);
                log.Add(new Behaviour(user, item, 100 + item % 7, "pv", time));
                if (random.NextDouble() < 0.2) log.Add(new Behaviour(user, item, 100 + item % 7, "cart", time + random.Next(2 * 86_400)));
                if (random.NextDouble() < 0.1) log.Add(new Behaviour(user, item, 100 + item % 7, "buy", time + random.Next(2 * 86_400)));
                if (random.NextDouble() < 0.1) log.Add(new Behaviour(user, item, 100 + item % 7, "fav", time));
            }
        log.Add(new Behaviour(1, 1, 101, "pv", Origin - 5));          // before the dataset's first day
        log.Add(new Behaviour(2, 1, 101, "pv", Origin + 9 * 86_400)); // after its last day
        return log.OrderBy(_ => random.Next()).ToList();
    }

    private static string Write(IEnumerable<Behaviour> log)
    {
        string path = Path.Combine(TestWorlds.TempFolder("ub"), "UserBehavior.csv");
        File.WriteAllLines(path, log.Select(b => $"{b.User},{b.Item},{b.Category},{b.Type},{b.Time}"));
        return path;
    }

    private static List<(ImpressionBatch Batch, int Row)> Rows(string path)
        => ImpressionFile.Read(path).SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b, r))).ToList();

    [TestMethod]
    public void Views_become_labelled_impressions_with_past_views_as_history()
    {
        var log = RandomLog(1);
        string input = Write(log);
        string output = Path.Combine(Path.GetDirectoryName(input)!, "out.parquet");
        var report = TaobaoUserBehaviorImporter.Import(input, output, new TaobaoUserBehaviorOptions { NegativesPerPositive = 2, Buckets = 3 });

        var inRange = log.Where(b => b.Time >= Origin && b.Time < Origin + 9 * 86_400).ToList();
        var views = inRange.Where(b => b.Type == "pv").ToList();
        var rows = Rows(output);
        var positives = rows.Where(x => x.Batch.Click[x.Row]).ToList();
        Assert.HasCount(views.Count, positives);
        Assert.AreEqual(views.Count, report.Positives);
        Assert.AreEqual(rows.Count - positives.Count, report.SampledNegatives);
        Assert.AreEqual(rows.Count, report.RowsWritten[output]);
        Assert.AreEqual(log.Count - inRange.Count, report.Skipped.Where(p => p.Key.StartsWith("timestamp outside", StringComparison.Ordinal)).Sum(p => p.Value));
        Assert.IsGreaterThanOrEqualTo(2, log.Count - inRange.Count);
        Assert.AreEqual(inRange.Count(b => b.Type == "fav"), report.Skipped["fav events (no task uses them)"]);
        Assert.AreEqual(log.Count, report.LinesRead);

        // Brute force: every view, with its labels and history, recomputed straight from the log.
        var expected = views.Select(v =>
        {
            var mine = inRange.Where(b => b.User == v.User).ToList();
            bool cart = mine.Any(b => b.Type == "cart" && b.Item == v.Item && b.Time >= v.Time && b.Time <= v.Time + 86_400);
            bool buy = mine.Any(b => b.Type == "buy" && b.Item == v.Item && b.Time >= v.Time && b.Time <= v.Time + 86_400);
            var before = mine.Where(b => b.Type == "pv" && (b.Time < v.Time || (b.Time == v.Time && log.IndexOf(b) < log.IndexOf(v)))).OrderBy(b => b.Time).ThenBy(log.IndexOf).TakeLast(50).Select(b => b.Item);
            return $"{(v.Time - Origin) / 86_400}|{v.User}|{v.Item}|{v.Category}|{cart}|{buy}|{string.Join(' ', before)}";
        }).Order().ToList();
        var actual = positives.Select(x => $"{x.Batch.Day[x.Row]}|{x.Batch.UserId[x.Row]}|{x.Batch.ItemId[x.Row]}|{x.Batch.CategoryId[x.Row]}|{x.Batch.Cart[x.Row]}|{x.Batch.Conversion[x.Row]}|{string.Join(' ', x.Batch.HistoryItemsOf(x.Row).ToArray())}").Order().ToList();
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void Output_is_day_ordered_negatives_differ_from_the_view_and_runs_repeat_exactly()
    {
        string input = Write(RandomLog(2));
        string folder = Path.GetDirectoryName(input)!;
        TaobaoUserBehaviorImporter.Import(input, Path.Combine(folder, "a.parquet"), new TaobaoUserBehaviorOptions { Buckets = 2 });
        TaobaoUserBehaviorImporter.Import(input, Path.Combine(folder, "b.parquet"), new TaobaoUserBehaviorOptions { Buckets = 2 });
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, "a.parquet")), File.ReadAllBytes(Path.Combine(folder, "b.parquet")));

        var rows = Rows(Path.Combine(folder, "a.parquet"));
        var days = rows.Select(x => x.Batch.Day[x.Row]).ToArray();
        CollectionAssert.AreEqual(days.Order().ToArray(), days);
        for (int i = 1; i < rows.Count; i++)
        {
            var (b, r) = rows[i];
            if (b.Click[r]) continue;
            var (pb, pr) = rows[i - 1];
            Assert.AreNotEqual(pb.ItemId[pr], b.ItemId[r], "a negative is never the item just viewed");
            Assert.AreEqual(pb.UserId[pr], b.UserId[r]);
        }
        Assert.IsEmpty(Directory.GetDirectories(folder), "temporary folders are removed");
    }

    [TestMethod]
    public void Bad_lines_name_file_line_and_column()
    {
        string input = Write([new Behaviour(1, 2, 3, "pv", Origin), new Behaviour(1, 2, 3, "click", Origin)]);
        var e = Assert.ThrowsExactly<DataFormatException>(() => TaobaoUserBehaviorImporter.Import(input, input + ".parquet"));
        Assert.AreEqual(2, e.Line);
        Assert.AreEqual("behavior_type", e.Column);
        StringAssert.Contains(e.Message, input);
        Assert.IsFalse(File.Exists(input + ".parquet"));

        input = Write([new Behaviour(0, 2, 3, "pv", Origin)]);
        e = Assert.ThrowsExactly<DataFormatException>(() => TaobaoUserBehaviorImporter.Import(input, input + ".parquet"));
        Assert.AreEqual("user_id", e.Column);
    }

    [TestMethod]
    public void Display_ads_become_a_sub_domain_with_behaviour_histories_and_a_super_domain()
    {
        long origin = new DateTimeOffset(2017, 4, 22, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeSeconds();
        string folder = TestWorlds.TempFolder("ads");
        string ads = Path.Combine(folder, "ad_feature.csv"), samples = Path.Combine(folder, "raw_sample.csv"), log = Path.Combine(folder, "behavior_log.csv");
        File.WriteAllLines(ads, ["adgroup_id,cate_id,campaign_id,customer,brand,price", "10,5,1,1,77,9.5", "11,6,1,1,NULL,3.0"]);
        File.WriteAllLines(log, [
            "user,time_stamp,btag,cate,brand",
            $"1,{origin + 100},pv,5,77",
            $"1,{origin + 200},cart,5,77",
            $"1,{origin + 21 * 86_400 + 5},pv,6,88",   // test day: not a super-domain row, but history for later ads
            $"2,{origin + 300},fav,5,77",
        ]);
        File.WriteAllLines(samples, [
            "user,time_stamp,adgroup_id,pid,nonclk,clk",
            $"1,{origin + 14 * 86_400},10,430548_1007,0,1",
            $"1,{origin + 21 * 86_400 + 10},11,430548_1007,1,0",
            $"2,{origin + 15 * 86_400},12,430548_1007,1,0",          // adgroup without features
        ]);
        var outputs = DisplayAdsOutputs.In(folder);
        var report = TaobaoDisplayAdsImporter.Import(samples, ads, log, outputs, new TaobaoDisplayAdsOptions { NegativesPerPositive = 0 });

        var train = Rows(outputs.SubTrain);
        Assert.HasCount(1, train);
        var (b, r) = train[0];
        Assert.AreEqual((14, 1, 10, 77, 5, true), (b.Day[r], b.UserId[r], b.ItemId[r], b.ShopId[r], b.CategoryId[r], b.Click[r]));
        CollectionAssert.AreEqual(new[] { TaobaoDisplayAdsImporter.BrandItemOffset + 77 }, b.HistoryItemsOf(r).ToArray());

        var test = Rows(outputs.SubTest);
        Assert.HasCount(1, test);
        (b, r) = test[0];
        Assert.AreEqual((21, 11, TaobaoDisplayAdsImporter.UnknownBrand, false), (b.Day[r], b.ItemId[r], b.ShopId[r], b.Click[r]));
        Assert.AreEqual(2, b.HistoryItemsOf(r).Length, "the test-day view before the ad is part of its history");

        var super = Rows(outputs.Super);
        Assert.HasCount(1, super, "only the pre-test-day view becomes a super-domain row");
        (b, r) = super[0];
        Assert.IsTrue(b.Click[r] && b.Cart[r] && !b.Conversion[r]);
        Assert.AreEqual(1, report.Skipped["ad impressions whose adgroup is not in ad_feature.csv"]);
        Assert.AreEqual(1, report.Skipped["fav behaviours (no task uses them)"]);
    }
}
