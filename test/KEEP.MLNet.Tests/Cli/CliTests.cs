using System.Text.Json;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class CliTests
{
    [TestMethod]
    public void Generate_writes_the_three_files_and_world_json_and_prints_json()
    {
        string folder = TestWorlds.TempFolder("cli-gen");
        var (code, output) = CliRunner.Run("generate", "--out", folder, "--preset", "tiny", "--users", "300", "--json");
        Assert.AreEqual(0, code, output);
        foreach (string file in new[] { "super.parquet", "sub_train.parquet", "sub_test.parquet", "world.json" })
            Assert.IsTrue(File.Exists(Path.Combine(folder, file)), file);
        using var json = JsonDocument.Parse(output);
        var summaries = json.RootElement.GetProperty("summaries");
        Assert.AreEqual(3, summaries.GetArrayLength());
        Assert.AreEqual("super", summaries[0].GetProperty("name").GetString());
        using var world = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "world.json")));
        Assert.AreEqual(300, world.RootElement.GetProperty("options").GetProperty("users").GetInt32());
    }

    /// <summary>A reduced tiny world, so the whole pipeline runs in seconds.</summary>
    private static readonly string[] SmallDemo = ["demo", "--preset", "shared-click-tiny", "--users", "300", "--super-rows", "20000", "--sub-rows", "10000"];

    [TestMethod]
    public void Demo_prints_the_world_the_models_and_the_reloaded_predictions()
    {
        string folder = TestWorlds.TempFolder("cli-demo");
        var (code, output) = CliRunner.Run([.. SmallDemo, "--out", folder]);
        Assert.AreEqual(0, code, output);
        foreach (string text in new[] { "Simulated world", "sub_train", "Base DNN", "KEEP DNN", "FastTree + KEEP", "reloaded", "report.md", "KEEP DNN − Base DNN", "paired 95% interval [" })
            StringAssert.Contains(output, text);
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "report", "report.md")), "| KEEP DNN | yes |");
    }

    [TestMethod]
    public void Demo_json_parses_and_reloaded_models_predict_what_they_predicted_in_memory()
    {
        string folder = TestWorlds.TempFolder("cli-demo-json");
        var (code, output) = CliRunner.Run([.. SmallDemo, "--json", "--out", folder]);
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.IsGreaterThan(0, root.GetProperty("dataset").GetProperty("rowsPerSecond").GetDouble());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "Base DNN", "KEEP DNN", "FastTree", "FastTree + KEEP" }, models.Select(m => m.GetProperty("name").GetString()).ToArray());
        foreach (var model in models)
        {
            Assert.IsTrue(File.Exists(model.GetProperty("zip").GetString()), model.ToString());
            Assert.IsTrue(model.GetProperty("gauc").GetDouble() is > 0 and < 1, model.ToString());
        }
        // Each model with knowledge against its twin: the paired difference is the GAUC difference, inside its interval.
        var gaucs = models.ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("gauc").GetDouble());
        var comparisons = root.GetProperty("comparisons").EnumerateArray().ToList();
        Assert.HasCount(2, comparisons);
        foreach (var c in comparisons)
        {
            double difference = c.GetProperty("difference").GetDouble();
            Assert.AreEqual(gaucs[c.GetProperty("model").GetString()!] - gaucs[c.GetProperty("reference").GetString()!], difference, 1e-6, c.ToString());
            Assert.IsTrue(c.GetProperty("low").GetDouble() < difference && difference < c.GetProperty("high").GetDouble(), c.ToString());
            Assert.IsGreaterThan(0, c.GetProperty("users").GetInt32());
        }
        var predictions = root.GetProperty("predictions").EnumerateArray().ToList();
        Assert.HasCount(12, predictions);
        foreach (var p in predictions)
            Assert.AreEqual(p.GetProperty("inMemory").GetDouble(), p.GetProperty("reloaded").GetDouble(), 1e-4, p.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(folder, "report", "results.json")));

        // Charts: rendered PNGs of the promised size with real content, and linked from the report.
        var charts = root.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).ToList();
        CollectionAssert.AreEquivalent(new[] { "gauc.png", "gain-by-activity.png", "training-loss.png", "pretraining-loss.png" }, charts.Select(Path.GetFileName).ToArray());
        string report = File.ReadAllText(Path.Combine(folder, "report", "report.md"));
        foreach (string chart in charts)
        {
            StringAssert.Contains(report, $"]({Path.GetFileName(chart)})");
            Charts.AssertRendered(chart);
        }
    }

    [TestMethod]
    [DataRow("generate", "--preset", "huge", "--out", "x")]
    [DataRow("generate", "--preset", "tiny")]
    [DataRow("generate", "--out", "x", "--users", "many")]
    public void Bad_arguments_exit_with_1(params string[] args)
    {
        var (code, output) = CliRunner.Run(args);
        Assert.AreEqual(1, code, output);
    }

    [TestMethod]
    public void Invalid_world_option_names_the_option_and_exits_with_1()
    {
        var (code, output) = CliRunner.Run("generate", "--out", TestWorlds.TempFolder("cli-bad"), "--preset", "tiny", "--days", "1");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "World option --days must be at least 2.");
    }

    [TestMethod]
    public void Generate_reads_the_world_from_a_json_file_and_its_world_json_generates_the_same_files_again()
    {
        string folder = TestWorlds.TempFolder("cli-world");
        string options = Path.Combine(folder, "mine.json");
        (KEEP.MLNet.Data.Simulation.WorldOptions.Preset("tiny") with { Users = 400, SuperImpressions = 12_000, SubImpressions = 2_000, TasteDrift = 0.9 }).Write(options);
        var (code, output) = CliRunner.Run("generate", "--out", Path.Combine(folder, "a"), "--world", options, "--seed", "8", "--quiet");
        Assert.AreEqual(0, code, output);
        var written = KEEP.MLNet.Data.Simulation.WorldOptions.Read(Path.Combine(folder, "a", "world.json"));
        Assert.AreEqual(400, written.Users);
        Assert.AreEqual(0.9, written.TasteDrift);
        Assert.AreEqual(8, written.Seed, "flags override the file");

        (code, output) = CliRunner.Run("generate", "--out", Path.Combine(folder, "b"), "--world", Path.Combine(folder, "a", "world.json"), "--quiet");
        Assert.AreEqual(0, code, output);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(folder, "a", "super.parquet")), File.ReadAllBytes(Path.Combine(folder, "b", "super.parquet")));

        (code, output) = CliRunner.Run("generate", "--out", Path.Combine(folder, "c"), "--world", options, "--preset", "small");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "either --world or --preset");
    }

    [TestMethod]
    public void Paper_experiment_refuses_a_table_6_window_as_long_as_the_world_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-recent-days");
        int trainDays = KEEP.MLNet.Data.Simulation.WorldOptions.Preset("tiny").TrainDays;
        var (code, output) = CliRunner.Run("experiment", "paper", "--preset", "tiny", "--seeds", "1", "--tables", "6", "--recent-days", $"1,{trainDays}", "--out", folder);
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "--recent-days");
        StringAssert.Contains(output, $"{trainDays} is outside that");
        Assert.IsFalse(Directory.EnumerateFileSystemEntries(folder).Any(), "nothing is generated before the arguments are checked");
    }

    [TestMethod]
    public void Paper_experiment_refuses_less_test_traffic_than_a_day_by_its_flag_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-test-traffic");
        var (code, output) = CliRunner.Run("experiment", "paper", "--preset", "tiny", "--seeds", "1", "--tables", "3", "--test-traffic", "0.5", "--out", folder);
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "--test-traffic must be between 1 and 20");
        Assert.IsFalse(Directory.EnumerateFileSystemEntries(folder).Any(), "nothing is generated before the arguments are checked");
    }

    [TestMethod]
    public void An_output_folder_that_cannot_be_created_is_named_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-unwritable");
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "");
        var (code, output) = CliRunner.Run("generate", "--out", Path.Combine(file, "data"), "--preset", "tiny");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "a-file");
    }

    [TestMethod]
    public void Missing_input_file_is_named_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-import");
        var (code, output) = CliRunner.Run("import", "userbehavior", "--input", Path.Combine(folder, "nope.csv"), "--out", Path.Combine(folder, "out.parquet"));
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "nope.csv");
        Assert.IsEmpty(Directory.GetFileSystemEntries(folder));
    }

    [TestMethod]
    public void Pretrain_on_a_folder_without_super_parquet_names_it_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-pretrain");
        var (code, output) = CliRunner.Run("pretrain", "--data", folder, "--out", Path.Combine(folder, "k.zip"));
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "no super.parquet");
        Assert.IsEmpty(Directory.GetFiles(folder));
    }

    [TestMethod]
    public void Pretrain_with_an_unknown_task_names_it()
    {
        string folder = TestWorlds.TempFolder("cli-pretrain-task");
        var (code, output) = CliRunner.Run("pretrain", "--data", TestWorlds.Tiny.Directory, "--out", Path.Combine(folder, "k.zip"), "--tasks", "click,like");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "'like' is not a task");
    }

    [TestMethod]
    public void Pretrain_on_the_last_days_trains_on_exactly_their_rows()
    {
        string folder = TestWorlds.TempFolder("cli-pretrain-days");
        var days = KEEP.MLNet.Data.ImpressionFile.Read(TestWorlds.Tiny.Files[KEEP.MLNet.Data.Simulation.DatasetSplit.Super]).SelectMany(b => b.Day.ToArray()).ToList();
        int last = days.Max();
        var (code, output) = CliRunner.Run("pretrain", "--data", TestWorlds.Tiny.Directory, "--out", Path.Combine(folder, "k.zip"), "--last-days", "2", "--batch-size", "500", "--json");
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        Assert.AreEqual(days.Count(d => d >= last - 1), json.RootElement.GetProperty("rows").GetInt64(), output);
        Assert.AreEqual(last - 1, json.RootElement.GetProperty("firstDay").GetInt32());
        Assert.AreEqual(last, json.RootElement.GetProperty("lastDay").GetInt32());

        (code, output) = CliRunner.Run("pretrain", "--data", TestWorlds.Tiny.Directory, "--out", Path.Combine(folder, "bad.zip"), "--last-days", "-3");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "--last-days: -3 is negative");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "bad.zip")));
    }

    [TestMethod]
    public void Extract_with_a_corrupt_model_names_the_file_and_exits_with_1()
    {
        string folder = TestWorlds.TempFolder("cli-extract");
        string model = Path.Combine(folder, "model.zip");
        File.WriteAllText(model, "not a zip");
        var (code, output) = CliRunner.Run("extract", "--model", model, "--data", TestWorlds.Tiny.Files[KEEP.MLNet.Data.Simulation.DatasetSplit.SubTest], "--out", Path.Combine(folder, "k.parquet"));
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "model.zip");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "k.parquet")));
    }

    [TestMethod]
    public void Import_userbehavior_reports_rows_and_skips()
    {
        string folder = TestWorlds.TempFolder("cli-import-ok");
        long t = new DateTimeOffset(2017, 11, 26, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeSeconds();
        File.WriteAllLines(Path.Combine(folder, "UserBehavior.csv"), [$"1,10,5,pv,{t}", $"1,11,5,pv,{t + 60}", $"1,10,5,fav,{t + 90}", $"2,10,5,buy,{t + 120}"]);
        var (code, output) = CliRunner.Run("import", "userbehavior", "--input", Path.Combine(folder, "UserBehavior.csv"), "--out", Path.Combine(folder, "out.parquet"), "--json");
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        Assert.AreEqual(4, json.RootElement.GetProperty("linesRead").GetInt64());
        Assert.AreEqual(2, json.RootElement.GetProperty("positives").GetInt64());
        Assert.AreEqual(1, json.RootElement.GetProperty("skipped").GetProperty("fav events (no task uses them)").GetInt64());
    }

    [TestMethod]
    [DataRow("generate")]
    [DataRow("demo")]
    [DataRow("import")]
    [DataRow("import", "userbehavior")]
    [DataRow("import", "display-ads")]
    [DataRow("pretrain")]
    [DataRow("extract")]
    [DataRow("predict")]
    [DataRow("experiment")]
    [DataRow("experiment", "paper")]
    [DataRow("publish")]
    [DataRow("train")]
    [DataRow("evaluate")]
    public void Every_command_help_shows_an_example(params string[] command)
    {
        var (code, output) = CliRunner.Run([.. command, "--help"]);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "Example");
        StringAssert.Contains(output, "keep " + command[0]);
    }
}
