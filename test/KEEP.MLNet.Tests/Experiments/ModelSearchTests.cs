using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Tests.Cli;
using Microsoft.ML;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class ModelSearchTests
{
    [TestMethod]
    public void Experiment_ranks_candidates_and_its_generated_project_compiles_and_predicts_with_the_saved_zip()
    {
        string folder = TestWorlds.TempFolder("model-search");
        string data = Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.SubTrain])!;
        string library = Path.Combine(TestPaths.RepositoryRoot(), "src", "KEEP.MLNet", "KEEP.MLNet.csproj");
        var (code, output) = CliRunner.Run("experiment", "--data", data, "--knowledge", TestModels.KnowledgeZip.Value, "--trainers", "fasttree",
            "--time", "1h", "--out", folder, "--keep-reference", library, "--json");
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        var board = json.RootElement.GetProperty("leaderboard").EnumerateArray().ToList();
        Assert.HasCount(4, board, "FastTree: two settings, with and without knowledge");
        var gaucs = board.Select(c => c.GetProperty("gauc").GetDouble()).ToList();
        CollectionAssert.AreEqual(gaucs.OrderByDescending(g => g).ToList(), gaucs, "best first");
        string zip = json.RootElement.GetProperty("model").GetString()!;

        var run = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "run", "--project", json.RootElement.GetProperty("project").GetString()!, "--", zip }) run.ArgumentList.Add(arg);
        using var process = Process.Start(run)!;
        var errors = process.StandardError.ReadToEndAsync();
        string printed = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, printed + errors.Result);
        string line = printed.Split('\n').Single(l => l.StartsWith("P(Click) = ", StringComparison.Ordinal));
        float probability = float.Parse(line["P(Click) = ".Length..].Trim(), CultureInfo.InvariantCulture);

        var ml = new MLContext(1);
        using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(KeepModel.Load(ml, zip, out _));
        var expected = engine.Predict(ImpressionInput.From(ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).First(), 0)).Probability;
        Assert.AreEqual(expected, probability, 1e-5f);
    }

    [TestMethod]
    [DataRow("90s", 90)]
    [DataRow("5m", 300)]
    [DataRow("1h", 3600)]
    [DataRow("00:02:00", 120)]
    public void Time_budgets_parse(string text, int seconds)
        => Assert.AreEqual(TimeSpan.FromSeconds(seconds), KEEP.MLNet.Cli.Commands.ExperimentCommand.ParseTime(text));
}
