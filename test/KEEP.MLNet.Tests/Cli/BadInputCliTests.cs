using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests.Cli;

/// <summary>The bad-input catalogue through the command line: exit code 1, a message naming what and where, no output left.</summary>
[TestClass]
public sealed class BadInputCliTests
{
    private const string Header = "Day,UserId,ItemId,ShopId,CategoryId,HistoryItemIds,HistoryShopIds,HistoryCategoryIds,Click,Cart,Conversion";

    [TestMethod]
    [DataRow("missing column", "Day,UserId,ItemId,CategoryId,HistoryItemIds,HistoryShopIds,HistoryCategoryIds,Click,Cart,Conversion\n0,1,2,4,,,,1,0,0", "ShopId")]
    [DataRow("malformed value", Header + "\n0,1,2,3,4,,,,1,0,0\n0,1,x2,3,4,,,,0,0,0", "line 3")]
    [DataRow("wrong field count", Header + "\n0,1,2,3,4,,,,1,0", "expected 11 fields, found 10")]
    [DataRow("negative id", Header + "\n0,1,-2,3,4,,,,1,0,0", "ItemId")]
    [DataRow("huge id", Header + "\n0,1,2,3,99999999999,,,,1,0,0", "CategoryId")]
    [DataRow("out of day order", Header + "\n2,1,2,3,4,,,,1,0,0\n1,1,2,3,4,,,,0,0,0", "day 1 comes after day 2")]
    [DataRow("empty", Header, "no rows")]
    [DataRow("all negative", Header + "\n0,1,2,3,4,,,,0,0,0\n1,1,2,3,4,,,,0,0,0", "no positive Click label")]
    public void Pretrain_on_bad_rows_exits_1_and_writes_nothing(string name, string csv, string expected)
    {
        string folder = TestWorlds.TempFolder("bad-cli");
        string data = Path.Combine(folder, "rows.csv"), output = Path.Combine(folder, "out", "knowledge.zip");
        File.WriteAllText(data, csv + "\n");
        var (code, text) = CliRunner.Run("pretrain", "--data", data, "--out", output, "--quiet");
        Assert.AreEqual(1, code, $"{name}: {text}");
        StringAssert.Contains(text, expected, name);
        Assert.IsFalse(File.Exists(output), $"{name}: no model file");
        Assert.IsEmpty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories), $"{name}: no temporary file");
    }

    [TestMethod]
    public void Truncated_parquet_and_a_corrupt_model_are_named()
    {
        string folder = TestWorlds.TempFolder("bad-cli-files");
        string truncated = Path.Combine(folder, "rows.parquet");
        byte[] bytes = File.ReadAllBytes(TestWorlds.Tiny.Files[DatasetSplit.SubTest]);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var (code, text) = CliRunner.Run("pretrain", "--data", truncated, "--out", Path.Combine(folder, "k.zip"), "--quiet");
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "rows.parquet");

        string corrupt = Path.Combine(folder, "model.zip");
        File.WriteAllBytes(corrupt, bytes[..1000]);
        string scores = Path.Combine(folder, "scores.csv");
        (code, text) = CliRunner.Run("predict", "--model", corrupt, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--out", scores);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "model.zip");
        Assert.IsFalse(File.Exists(scores));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "k.zip")));
    }
}

/// <summary>A bad row read inside an ML.NET pipeline (its cursors run on worker threads) reaches the user as the row, not as ML.NET's wrapper.</summary>
[TestClass]
public sealed class BadRowsThroughPipelinesTests
{
    private static readonly Lazy<string> Zip = new(() =>
    {
        string zip = Path.Combine(TestWorlds.TempFolder("bad-rows-model"), "fasttree.zip");
        var (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--trainer", "fasttree", "--out", zip, "--quiet");
        Assert.AreEqual(0, code, text);
        return zip;
    });

    [TestMethod]
    [DataRow("evaluate")]
    [DataRow("predict")]
    public void A_string_id_in_the_fifth_line_exits_1_naming_file_line_and_column(string command)
    {
        string folder = TestWorlds.TempFolder("bad-rows");
        string data = Path.Combine(folder, "rows.csv");
        var lines = new List<string> { "Day,UserId,ItemId,ShopId,CategoryId,HistoryItemIds,HistoryShopIds,HistoryCategoryIds,Click,Cart,Conversion" };
        for (int r = 0; r < 6; r++) lines.Add(r == 3 ? "0,u50,2,3,4,5,6,7,0,0,0" : $"0,{r + 1},2,3,4,5,6,7,{r % 2},0,0");
        File.WriteAllLines(data, lines);
        string[] args = command == "evaluate" ? ["evaluate", "--model", Zip.Value, "--data", data] : ["predict", "--model", Zip.Value, "--data", data, "--out", Path.Combine(folder, "scores.parquet")];
        var (code, text) = CliRunner.Run(args);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "line 5, column 'UserId'");
        Assert.IsFalse(text.Contains("internal error", StringComparison.Ordinal), text);
        Assert.IsFalse(File.Exists(Path.Combine(folder, "scores.parquet")));
    }

    [TestMethod]
    public void The_library_finds_the_data_error_inside_the_wrappers()
    {
        var row = new KEEP.MLNet.Data.DataFormatException("f.csv", 5, "UserId", "'u50' is not an integer");
        var wrapped = new InvalidOperationException("Splitter/consolidator worker encountered exception while consuming source data",
            new AggregateException(new TimeoutException(), new InvalidOperationException("inner", row)));
        Assert.AreSame(row, KEEP.MLNet.Data.DataFormatException.FindIn(wrapped));
        Assert.IsNull(KEEP.MLNet.Data.DataFormatException.FindIn(new InvalidOperationException("no data error")));
    }
}

[TestClass]
public sealed class JsonErrorTests
{
    [TestMethod]
    public void With_json_an_error_is_a_json_object_a_script_can_parse()
    {
        string folder = TestWorlds.TempFolder("json-error");
        var (code, text) = CliRunner.Run("evaluate", "--model", Path.Combine(folder, "absent.zip"), "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--json");
        Assert.AreEqual(1, code, text);
        using var json = System.Text.Json.JsonDocument.Parse(text);
        Assert.AreEqual(1, json.RootElement.GetProperty("exitCode").GetInt32());
        StringAssert.Contains(json.RootElement.GetProperty("error").GetString(), "absent.zip");

        (code, text) = CliRunner.Run("evaluate", "--model", Path.Combine(folder, "absent.zip"), "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest]);
        Assert.AreEqual(1, code, text);
        StringAssert.StartsWith(text.TrimStart(), "error:", "without --json, the one-line message");
    }
}

[TestClass]
public sealed class OptionMessageTests
{
    [TestMethod]
    [DataRow("train", "--epochs", "0", "--epochs must be at least 1.")]
    [DataRow("pretrain", "--batch-size", "1", "option --batch-size must be between 2")]
    [DataRow("pretrain", "--alpha", "-1", "option --alpha must be finite")]
    public void A_bad_setting_is_named_by_its_flag(string command, string flag, string value, string expected)
    {
        string folder = TestWorlds.TempFolder("option-message");
        var (code, text) = CliRunner.Run(command, "--data", Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.SubTrain])!, flag, value, "--out", Path.Combine(folder, "m.zip"));
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, expected);
        Assert.IsFalse(text.Contains("(Parameter", StringComparison.Ordinal), text);
    }
}
