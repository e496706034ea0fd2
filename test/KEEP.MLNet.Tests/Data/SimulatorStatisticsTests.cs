using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class SimulatorStatisticsTests
{
    private static List<ImpressionBatch> Read(DatasetSplit split) => ImpressionFile.Read(TestWorlds.Tiny.Files[split]).ToList();

    private static IEnumerable<int> Rows(List<ImpressionBatch> batches) => batches.SelectMany(b => Enumerable.Range(0, b.Count));

    [TestMethod]
    public void Label_rates_are_in_realistic_ranges()
    {
        foreach (var summary in TestWorlds.Tiny.Summaries.Where(s => s.Name != "sub_test"))
        {
            Assert.IsTrue(summary.ClickRate is > 0.01 and < 0.12, $"{summary.Name} CTR {summary.ClickRate}");
            Assert.IsTrue(summary.CartsPerClick is > 0.03 and < 0.30, $"{summary.Name} cart/click {summary.CartsPerClick}");
            Assert.IsTrue(summary.ConversionsPerClick is > 0.005 and < 0.15, $"{summary.Name} conversion/click {summary.ConversionsPerClick}");
        }
    }

    [TestMethod]
    public void Cart_and_conversion_only_follow_clicks_and_cart_raises_conversion()
    {
        long cartedClicks = 0, cartedConversions = 0, plainClicks = 0, plainConversions = 0;
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            foreach (var batch in Read(split))
            {
                for (int r = 0; r < batch.Count; r++)
                {
                    if (!batch.Click[r])
                    {
                        Assert.IsFalse(batch.Cart[r] || batch.Conversion[r], "cart or conversion without a click");
                        continue;
                    }
                    if (batch.Cart[r]) { cartedClicks++; if (batch.Conversion[r]) cartedConversions++; }
                    else { plainClicks++; if (batch.Conversion[r]) plainConversions++; }
                }
            }
        }
        Assert.IsGreaterThan((double)plainConversions / plainClicks, (double)cartedConversions / cartedClicks);
    }

    [TestMethod]
    public void Item_popularity_and_user_activity_are_long_tailed()
    {
        var batches = Read(DatasetSplit.Super);
        var perItem = new Dictionary<int, int>();
        var perUser = new Dictionary<int, int>();
        foreach (var b in batches)
            for (int r = 0; r < b.Count; r++)
            {
                perItem[b.ItemId[r]] = perItem.GetValueOrDefault(b.ItemId[r]) + 1;
                perUser[b.UserId[r]] = perUser.GetValueOrDefault(b.UserId[r]) + 1;
            }
        long rows = perItem.Values.Sum();
        var items = perItem.Values.OrderDescending().ToArray();
        double top10PercentShare = (double)items.Take(items.Length / 10).Sum() / rows;
        Assert.IsGreaterThan(0.35, top10PercentShare, $"top 10% of items get {top10PercentShare:P1} of impressions");

        var users = perUser.Values.Order().ToArray();
        double median = users[users.Length / 2], p99 = users[(int)(users.Length * 0.99)];
        Assert.IsGreaterThan(4.0, p99 / median, $"p99/median user activity {p99 / median:F1}");
    }

    [TestMethod]
    public void Sub_domain_is_sparse_where_the_super_domain_is_dense()
    {
        var summaries = TestWorlds.Tiny.Summaries.ToDictionary(s => s.Name);
        // Impressions come in pages of ~5 per visit, so "a handful of impressions" is one or two visits.
        Assert.IsGreaterThanOrEqualTo(3 * summaries["sub_train"].MedianImpressionsPerUser, summaries["super"].MedianImpressionsPerUser);
        Assert.IsGreaterThan(0.10, summaries["sub_train"].SparseUserShare);
        Assert.IsLessThan(0.05, summaries["super"].SparseUserShare);
        Assert.IsGreaterThan(0.95, TestWorlds.Tiny.SubUsersSeenInSuper);
        Assert.IsGreaterThan(TestWorlds.Tiny.Summaries[0].SparseUserThreshold * 2, TestWorlds.Tiny.MedianSuperImpressionsOfSparseSubUsers,
            "users sparse in the sub-domain are well known to the super-domain");
    }

    [TestMethod]
    public void Sub_domain_has_a_shifted_item_mix_and_its_own_click_bias()
    {
        static Dictionary<int, double> CategoryShare(List<ImpressionBatch> batches)
        {
            var counts = new Dictionary<int, double>();
            double total = 0;
            foreach (var b in batches)
                for (int r = 0; r < b.Count; r++) { counts[b.CategoryId[r]] = counts.GetValueOrDefault(b.CategoryId[r]) + 1; total++; }
            return counts.ToDictionary(p => p.Key, p => p.Value / total);
        }
        var site = CategoryShare(Read(DatasetSplit.Super));
        var sub = CategoryShare(Read(DatasetSplit.SubTrain));
        double totalVariation = 0.5 * site.Keys.Union(sub.Keys).Sum(k => Math.Abs(site.GetValueOrDefault(k) - sub.GetValueOrDefault(k)));
        Assert.IsGreaterThan(0.15, totalVariation, $"category mix distance {totalVariation:F3}");
        var summaries = TestWorlds.Tiny.Summaries.ToDictionary(s => s.Name);
        Assert.IsLessThan(summaries["super"].ClickRate, summaries["sub_train"].ClickRate);
    }

    [TestMethod]
    public void A_users_click_rate_on_the_site_predicts_it_in_the_sub_domain()
    {
        // The premise of KEEP: what the super-domain knows about a user carries over to the sub-domain.
        static Dictionary<int, (int Rows, int Clicks)> PerUser(List<ImpressionBatch> batches)
        {
            var result = new Dictionary<int, (int, int)>();
            foreach (var b in batches)
                for (int r = 0; r < b.Count; r++)
                {
                    var (n, c) = result.GetValueOrDefault(b.UserId[r]);
                    result[b.UserId[r]] = (n + 1, c + (b.Click[r] ? 1 : 0));
                }
            return result;
        }
        var site = PerUser(Read(DatasetSplit.Super));
        var sub = PerUser(Read(DatasetSplit.SubTrain));
        var pairs = sub.Where(p => site.ContainsKey(p.Key) && p.Value.Rows >= 10)
            .Select(p => ((double)site[p.Key].Clicks / site[p.Key].Rows, (double)p.Value.Clicks / p.Value.Rows)).ToArray();
        Assert.IsGreaterThan(50, pairs.Length);
        Assert.IsGreaterThan(0.2, Correlation(pairs));
    }

    [TestMethod]
    public void Histories_are_past_clicks_most_recent_last_and_consistent_with_the_catalogue()
    {
        var shopOf = new Dictionary<int, int>();
        var categoryOf = new Dictionary<int, int>();
        var lastDay = -1;
        int maxLength = WorldOptions.Preset("shared-click-tiny").HistoryLength;
        // Per user: the history of their previous row, and the clicks made since that history was shown.
        var previous = new Dictionary<int, (string History, List<int> Clicks)>();
        int visitsChecked = 0;
        foreach (var b in Read(DatasetSplit.Super))
        {
            for (int r = 0; r < b.Count; r++)
            {
                Assert.IsGreaterThanOrEqualTo(lastDay, b.Day[r], "rows are ordered by day");
                lastDay = b.Day[r];
                Assert.AreEqual(shopOf.GetValueOrDefault(b.ItemId[r], b.ShopId[r]), shopOf[b.ItemId[r]] = b.ShopId[r]);
                Assert.AreEqual(categoryOf.GetValueOrDefault(b.ItemId[r], b.CategoryId[r]), categoryOf[b.ItemId[r]] = b.CategoryId[r]);
                var items = b.HistoryItemsOf(r).ToArray();
                Assert.IsLessThanOrEqualTo(maxLength, items.Length);
                for (int k = 0; k < items.Length; k++)
                {
                    if (shopOf.TryGetValue(items[k], out int shop)) Assert.AreEqual(shop, b.HistoryShopsOf(r)[k]);
                    if (categoryOf.TryGetValue(items[k], out int category)) Assert.AreEqual(category, b.HistoryCategoriesOf(r)[k]);
                }
                // Rows of one visit share the history it began with; a later visit's history holds every click
                // made since, at its end (most recent last).
                string key = string.Join(' ', items);
                if (previous.TryGetValue(b.UserId[r], out var last) && last.History != key && last.Clicks.Count > 0)
                {
                    var recent = items.TakeLast(last.Clicks.Count + 20).ToArray();
                    foreach (int clicked in last.Clicks) Assert.Contains(clicked, recent);
                    visitsChecked++;
                }
                if (!previous.TryGetValue(b.UserId[r], out last) || last.History != key) last = (key, []);
                if (b.Click[r]) last.Clicks.Add(b.ItemId[r]);
                previous[b.UserId[r]] = last;
            }
        }
        Assert.IsGreaterThan(100, visitsChecked);
    }

    private static double Correlation((double X, double Y)[] pairs)
    {
        double mx = pairs.Average(p => p.X), my = pairs.Average(p => p.Y);
        double sxy = pairs.Sum(p => (p.X - mx) * (p.Y - my));
        double sxx = pairs.Sum(p => (p.X - mx) * (p.X - mx)), syy = pairs.Sum(p => (p.Y - my) * (p.Y - my));
        return sxy / Math.Sqrt(sxx * syy);
    }
}
