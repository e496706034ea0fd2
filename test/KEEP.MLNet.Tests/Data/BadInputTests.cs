using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class BadInputTests
{
    private const string Header = "Day,UserId,ItemId,ShopId,CategoryId,HistoryItemIds,HistoryShopIds,HistoryCategoryIds,Click,Cart,Conversion";

    private static string WriteCsv(params string[] lines)
    {
        string path = Path.Combine(TestWorlds.TempFolder("bad"), "rows.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static DataFormatException ReadFails(string path)
        => Assert.ThrowsExactly<DataFormatException>(() => ImpressionFile.Read(path).ToList());

    [TestMethod]
    public void Missing_file_is_named()
    {
        var e = ReadFails("/nonexistent/folder/rows.parquet");
        StringAssert.Contains(e.Message, "/nonexistent/folder/rows.parquet");
        StringAssert.Contains(e.Message, "not found");
    }

    [TestMethod]
    public void Missing_csv_column_is_named()
    {
        var e = ReadFails(WriteCsv(Header.Replace(",ShopId", ""), "0,1,2,3,,,,0,0,0"));
        Assert.AreEqual("ShopId", e.Column);
        Assert.AreEqual(1, e.Line);
    }

    [TestMethod]
    public void Malformed_value_names_line_and_column()
    {
        var e = ReadFails(WriteCsv(Header, "0,1,2,3,4,,,,0,0,0", "0,1,x2,3,4,,,,0,0,0"));
        Assert.AreEqual(3, e.Line);
        Assert.AreEqual("ItemId", e.Column);
        StringAssert.Contains(e.Message, "'x2' is not an integer");
    }

    [TestMethod]
    public void Wrong_field_count_names_the_line()
    {
        var e = ReadFails(WriteCsv(Header, "0,1,2,3,4,,,,0,0"));
        Assert.AreEqual(2, e.Line);
        StringAssert.Contains(e.Message, "expected 11 fields, found 10");
    }

    [TestMethod]
    [DataRow("0,0,2,3,4,,,,0,0,0", "UserId")]
    [DataRow("0,1,-2,3,4,,,,0,0,0", "ItemId")]
    [DataRow("0,1,2,3,99999999999,,,,0,0,0", "CategoryId")]
    [DataRow("0,1,2,3,4,5 0,6 7,8 9,1,0,0", "HistoryItemIds")]
    public void Id_out_of_range_is_rejected(string row, string column)
    {
        var e = ReadFails(WriteCsv(Header, row));
        Assert.AreEqual(column, e.Column);
        Assert.AreEqual(2, e.Line);
    }

    [TestMethod]
    public void Histories_of_different_lengths_are_rejected()
    {
        var e = ReadFails(WriteCsv(Header, "0,1,2,3,4,5 6,7,8 9,1,0,0"));
        StringAssert.Contains(e.Message, "differ in length");
    }

    [TestMethod]
    public void Cart_without_click_is_rejected()
    {
        var e = ReadFails(WriteCsv(Header, "0,1,2,3,4,,,,0,1,0"));
        Assert.AreEqual("Cart", e.Column);
    }

    [TestMethod]
    public void Bad_label_is_rejected()
    {
        var e = ReadFails(WriteCsv(Header, "0,1,2,3,4,,,,yes,0,0"));
        Assert.AreEqual("Click", e.Column);
    }

    [TestMethod]
    public void Empty_csv_is_rejected()
    {
        var e = ReadFails(WriteCsv());
        StringAssert.Contains(e.Message, "empty");
    }

    [TestMethod]
    public void Extra_csv_columns_are_ignored_and_listed()
    {
        string path = WriteCsv(Header + ",Note", "0,1,2,3,4,,,,1,0,0,hello");
        var reader = new CsvImpressionReader(path);
        CollectionAssert.AreEqual(new[] { "Note" }, reader.IgnoredColumns.ToArray());
        Assert.AreEqual(1, reader.ReadBatches().Sum(b => b.Count));
    }

    [TestMethod]
    public void Truncated_parquet_is_reported_as_such()
    {
        string source = TestWorlds.Tiny.Files[DatasetSplit.SubTest];
        string path = Path.Combine(TestWorlds.TempFolder("trunc"), "rows.parquet");
        byte[] bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = ReadFails(path);
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void Parquet_with_a_missing_column_names_it()
    {
        string path = Path.Combine(TestWorlds.TempFolder("schema"), "rows.parquet");
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<int>("Day"), new Parquet.Schema.DataField<int>("UserId"));
        using (var stream = File.Create(path))
        {
            var writer = Parquet.ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        var e = ReadFails(path);
        Assert.AreEqual("ItemId", e.Column);
    }

    [TestMethod]
    public void Unknown_extension_is_rejected()
    {
        var e = ReadFails("rows.txt");
        StringAssert.Contains(e.Message, "unknown format");
    }

    [TestMethod]
    public void A_failed_write_leaves_no_file_behind()
    {
        string folder = TestWorlds.TempFolder("atomic");
        string path = Path.Combine(folder, "rows.parquet");
        static IEnumerable<ImpressionBatch> Failing()
        {
            var batch = new ImpressionBatch();
            batch.Add(0, 1, 2, 3, 4, [], [], [], false, false, false);
            yield return batch;
            throw new InvalidOperationException("source failed");
        }
        Assert.ThrowsExactly<InvalidOperationException>(() => ImpressionFile.Write(path, Failing()));
        Assert.IsEmpty(Directory.GetFiles(folder), "neither the target nor a temporary file remains");
    }

    [TestMethod]
    public void Invalid_world_options_name_the_option()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new World(WorldOptions.Preset("shared-click-tiny") with { TestDays = 6 }));
        StringAssert.Contains(e.Message, "TestDays");
    }
}

[TestClass]
public sealed class ImpressionInputTests
{
    [TestMethod]
    public void A_row_built_in_code_follows_the_file_readers_rules()
    {
        var ok = ImpressionInput.Create(1, 2, 3, 4, [5, 6], [7, 8], [9, 10]);
        Assert.AreEqual(6, ok.HistoryItemIds[^1], "most recent last");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImpressionInput.Create(-1, 2, 3, 4, [], [], []));
        Assert.AreEqual("userId", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImpressionInput.Create(1, 2, 3, 4, [5, 0], [7, 8], [9, 10]));
        Assert.AreEqual("historyItems", e.ParamName);
        var a = Assert.ThrowsExactly<ArgumentException>(() => ImpressionInput.Create(1, 2, 3, 4, [5, 6], [7], [9, 10]));
        StringAssert.Contains(a.Message, "differ in length");
    }
}

[TestClass]
public sealed class TypeNameMessageTests
{
    [TestMethod]
    public void Reading_a_column_as_the_wrong_type_names_the_types_as_CSharp_writes_them()
    {
        var rows = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest]);
        using var cursor = rows.GetRowCursor(rows.Schema);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(rows.Schema["UserId"]));
        StringAssert.Contains(e.Message, "Column 'UserId' is Int32, not ReadOnlyMemory<char>.");
        Assert.AreEqual("VBuffer<float>", TypeNames.Of(typeof(Microsoft.ML.Data.VBuffer<float>)));
        Assert.AreEqual("Dictionary<string, int?[]>", TypeNames.Of(typeof(Dictionary<string, int?[]>)));
        Assert.AreEqual("DayOfWeek", TypeNames.Of(typeof(DayOfWeek)));
    }
}
