using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class FormatRoundTripTests
{
    private static ImpressionBatch Sample()
    {
        var batch = new ImpressionBatch(2);
        batch.Add(0, 1, 10, 100, 1000, [], [], [], false, false, false);
        batch.Add(0, 2, 11, 101, 1001, [10], [100], [1000], true, true, false);
        batch.Add(1, 1, 12, 102, 1002, [10, 11, 12], [100, 101, 102], [1000, 1001, 1002], true, false, true);
        batch.Add(1, int.MaxValue, 13, 103, 1003, [], [], [], false, false, false);
        return batch;
    }

    private static void AssertSameRows(IEnumerable<ImpressionBatch> expected, IEnumerable<ImpressionBatch> actual)
    {
        var e = Flatten(expected);
        var a = Flatten(actual);
        CollectionAssert.AreEqual(e, a);
    }

    private static List<string> Flatten(IEnumerable<ImpressionBatch> batches)
    {
        var rows = new List<string>();
        foreach (var b in batches)
            for (int r = 0; r < b.Count; r++)
                rows.Add($"{b.Day[r]}|{b.UserId[r]}|{b.ItemId[r]}|{b.ShopId[r]}|{b.CategoryId[r]}|{string.Join(' ', b.HistoryItemsOf(r).ToArray())}|{string.Join(' ', b.HistoryShopsOf(r).ToArray())}|{string.Join(' ', b.HistoryCategoriesOf(r).ToArray())}|{b.Click[r]}|{b.Cart[r]}|{b.Conversion[r]}");
        return rows;
    }

    [TestMethod]
    [DataRow("parquet")]
    [DataRow("csv")]
    public void Rows_survive_a_round_trip_including_empty_histories(string format)
    {
        string path = Path.Combine(TestWorlds.TempFolder("rt"), "rows." + format);
        var batches = new[] { Sample(), Sample() };
        Assert.AreEqual(8, ImpressionFile.Write(path, batches));
        AssertSameRows(batches, ImpressionFile.Read(path));
    }

    [TestMethod]
    public void Parquet_and_csv_of_a_simulated_world_hold_the_same_rows()
    {
        var files = TestWorlds.Tiny.Files;
        string csv = Path.ChangeExtension(files[DatasetSplit.SubTrain], ".csv");
        AssertSameRows(ImpressionFile.Read(files[DatasetSplit.SubTrain]), ImpressionFile.Read(csv));
    }

    [TestMethod]
    public void Data_view_streams_the_file_with_the_documented_schema()
    {
        string path = TestWorlds.Tiny.Files[DatasetSplit.SubTest];
        var view = ImpressionFile.Load(path);
        Assert.AreEqual(TestWorlds.Tiny.Summaries.Single(s => s.Name == "sub_test").Rows, view.GetRowCount());
        CollectionAssert.AreEqual(ImpressionColumns.All.ToArray(), view.Schema.Select(c => c.Name).ToArray());
        Assert.IsInstanceOfType<VectorDataViewType>(view.Schema[ImpressionColumns.HistoryItemIds].Type);

        // ML.NET reads it like any data view: column by column, and through a transform.
        var ml = new MLContext(seed: 1);
        var clicks = view.GetColumn<bool>(ImpressionColumns.Click).Count(c => c);
        var histories = view.GetColumn<VBuffer<int>>(ImpressionColumns.HistoryItemIds).ToArray();
        long expectedClicks = 0, expectedHistory = 0;
        foreach (var b in ImpressionFile.Read(path))
        {
            for (int r = 0; r < b.Count; r++) if (b.Click[r]) expectedClicks++;
            expectedHistory += b.HistoryLength;
        }
        Assert.AreEqual(expectedClicks, clicks);
        Assert.AreEqual(expectedHistory, histories.Sum(h => (long)h.Length));
        var converted = ml.Transforms.Conversion.ConvertType("UserFloat", ImpressionColumns.UserId, DataKind.Single).Fit(view).Transform(view);
        Assert.AreEqual(view.GetColumn<int>(ImpressionColumns.UserId).Sum(u => (double)u), converted.GetColumn<float>("UserFloat").Sum(u => (double)u), 1e-3);
    }

    [TestMethod]
    public void Simulator_data_view_without_files_matches_the_written_split()
    {
        var options = WorldOptions.Preset("shared-click-tiny");
        var view = new ImpressionDataView(() => new Simulator(new World(options)).Run(DatasetSplit.SubTest));
        Assert.AreEqual(
            TestWorlds.Tiny.Summaries.Single(s => s.Name == "sub_test").Rows,
            view.GetColumn<int>(ImpressionColumns.UserId).LongCount());
        AssertSameRows(ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]), view.Batches());
    }
}
