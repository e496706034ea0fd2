using KEEP.MLNet.Data;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class DayOrderedMergeTests
{
    [TestMethod]
    public void Shards_merge_into_one_day_ordered_stream_with_every_row()
    {
        var rows = TestModels.SuperRows(_ => true).ToList();
        IEnumerable<ImpressionBatch> Shard(int k) => rows.Select(b =>
        {
            var part = new ImpressionBatch();
            for (int r = k; r < b.Count; r += 3) part.AddRow(b, r);
            return part;
        }).Where(p => p.Count > 0);

        var merged = DayOrderedMerge.Merge([Shard(0), Shard(1), Shard(2)], blockSize: 1000).ToList();
        var days = merged.SelectMany(b => b.Day.ToArray()).ToList();
        for (int i = 1; i < days.Count; i++) Assert.IsGreaterThanOrEqualTo(days[i - 1], days[i], $"row {i} goes back in time");
        static IEnumerable<(int, int, int, bool)> Keys(IEnumerable<ImpressionBatch> batches)
            => batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b.Day[r], b.UserId[r], b.ItemId[r], b.Click[r])));
        CollectionAssert.AreEquivalent(Keys(rows).ToList(), Keys(merged).ToList());
        Assert.IsTrue(merged.SkipLast(1).All(b => b.Count == 1000));
    }

    [TestMethod]
    public void A_shard_that_goes_back_in_time_is_refused()
    {
        var late = new ImpressionBatch();
        late.Add(5, 1, 1, 1, 1, [], [], [], false, false, false);
        late.Add(4, 1, 1, 1, 1, [], [], [], false, false, false);
        var early = new ImpressionBatch();
        early.Add(1, 2, 2, 2, 2, [], [], [], false, false, false);
        var e = Assert.ThrowsExactly<ArgumentException>(() => DayOrderedMerge.Merge([[early], [late]]).ToList());
        StringAssert.Contains(e.Message, "day 4 after day 5");
    }
}
