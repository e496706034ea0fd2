using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using Microsoft.ML;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class TrainEvaluateTests
{
    private static string Data => Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.SubTrain])!;

    [TestMethod]
    [DataRow("keep-dnn", true)]
    [DataRow("fasttree", true)]
    [DataRow("sdca", false)]
    public void Trained_zip_evaluates_to_the_GAUC_of_the_model_loaded_in_process(string trainer, bool withKnowledge)
    {
        string zip = Path.Combine(TestWorlds.TempFolder("cli-train"), "model.zip");
        string[] knowledge = withKnowledge ? ["--knowledge", TestModels.KnowledgeZip.Value] : [];
        var (code, output) = CliRunner.Run(["train", "--data", Data, "--trainer", trainer, .. knowledge, "--out", zip, "--quiet"]);
        Assert.AreEqual(0, code, output);

        string test = TestWorlds.Tiny.Files[DatasetSplit.SubTest];
        (code, output) = CliRunner.Run("evaluate", "--model", zip, "--data", test, "--buckets-from", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--json");
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        double gauc = json.RootElement.GetProperty("overall").GetProperty("gauc").GetDouble();

        var ml = new MLContext(3);
        var scored = KeepModel.Load(ml, zip, out _).Transform(ImpressionFile.Load(test, 50));
        Assert.AreEqual(ml.BinaryClassification.EvaluateGauc(scored, ImpressionColumns.Click).Gauc, gauc, 1e-9);
        var buckets = json.RootElement.GetProperty("buckets");
        long impressions = buckets.EnumerateObject().Sum(b => b.Value.GetProperty("impressions").GetInt64());
        Assert.AreEqual(json.RootElement.GetProperty("overall").GetProperty("impressions").GetInt64(), impressions, "every test row falls in one bucket");
    }

    [TestMethod]
    public void Train_without_sub_train_in_the_folder_names_the_file()
    {
        var (code, output) = CliRunner.Run("train", "--data", TestWorlds.TempFolder("empty"), "--out", "x.zip");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "sub_train.parquet");
    }
}
