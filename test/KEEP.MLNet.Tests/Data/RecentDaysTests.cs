using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class RecentDaysTests
{
    private static List<(int Day, int User, int Item, bool Click, int History)> Rows(IEnumerable<ImpressionBatch> batches)
        => [.. batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b.Day[r], b.UserId[r], b.ItemId[r], b.Click[r], b.HistoryItemsOf(r).Length)))];

    [TestMethod]
    public void Keeps_exactly_the_rows_from_the_first_day_on_in_their_order()
    {
        string super = TestWorlds.Tiny.Files[DatasetSplit.Super];
        var all = Rows(ImpressionFile.Read(super));
        int last = all.Max(r => r.Day);
        for (int firstDay = 0; firstDay <= last + 1; firstDay++)
        {
            var window = RecentDays.From(ImpressionFile.Read(super), firstDay).ToList();
            CollectionAssert.AreEqual(all.Where(r => r.Day >= firstDay).ToList(), Rows(window), $"rows from day {firstDay}");
            Assert.IsTrue(window.All(b => b.Count > 0), "no empty block is passed on");
        }
    }

    [TestMethod]
    public void Rows_out_of_day_order_are_tested_one_by_one()
    {
        var batch = new ImpressionBatch();
        foreach (int day in new[] { 3, 1, 4, 1, 5 }) batch.Add(day, day * 10, day, 1, 1, [day, day], [1, 1], [1, 1], day == 4, false, false);
        var kept = RecentDays.From([batch], 3).ToList();
        CollectionAssert.AreEqual(new[] { 3, 4, 5 }, kept.SelectMany(b => b.Day.ToArray()).ToArray());
        CollectionAssert.AreEqual(new[] { 30, 40, 50 }, kept.SelectMany(b => b.UserId.ToArray()).ToArray());
        Assert.AreEqual(6, kept.Sum(b => b.HistoryLength), "histories come with their rows");
        Assert.ThrowsExactly<ArgumentNullException>(() => RecentDays.From(null!, 0));
    }

    [TestMethod]
    public void The_window_of_the_last_days_counts_calendar_days_back_from_the_last_one()
    {
        string super = TestWorlds.Tiny.Files[DatasetSplit.Super];
        var days = ImpressionFile.Read(super).SelectMany(b => b.Day.ToArray()).ToList();
        int last = days.Max();
        foreach (int n in new[] { 1, 2, last + 1, last + 50 })
        {
            var (firstDay, rows) = RecentDays.Window(ImpressionFile.Read(super), n);
            Assert.AreEqual(last - n + 1, firstDay, $"last {n} days");
            Assert.AreEqual(days.Count(d => d >= last - n + 1), rows, $"rows of the last {n} days");
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RecentDays.Window(ImpressionFile.Read(super), 0));
        var e = Assert.ThrowsExactly<ArgumentException>(() => RecentDays.Window([new ImpressionBatch()], 3));
        StringAssert.Contains(e.Message, "no rows");
    }
}
