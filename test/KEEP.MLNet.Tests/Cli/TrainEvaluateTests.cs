using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;

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
    public void A_folder_generated_as_csv_is_data_for_train()
    {
        string folder = TestWorlds.TempFolder("csv-folder");
        var (code, output) = CliRunner.Run("generate", "--preset", "shared-click-tiny", "--format", "csv", "--out", folder, "--quiet");
        Assert.AreEqual(0, code, output);
        Assert.IsFalse(File.Exists(Path.Combine(folder, "sub_train.parquet")));
        (code, output) = CliRunner.Run("train", "--data", folder, "--trainer", "sdca", "--out", Path.Combine(folder, "model.zip"));
        Assert.AreEqual(0, code, output);
        Assert.IsTrue(File.Exists(Path.Combine(folder, "model.zip")));
        Assert.IsFalse(output.Contains("on  rows", StringComparison.Ordinal), output);
    }

    [TestMethod]
    public void Train_without_sub_train_in_the_folder_names_the_file()
    {
        var (code, output) = CliRunner.Run("train", "--data", TestWorlds.TempFolder("empty"), "--out", "x.zip");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "sub_train.parquet");
    }
}

[TestClass]
public sealed class ContinuedTrainingTests
{
    [TestMethod]
    public void A_KEEP_DNN_zip_continues_training_on_new_days_from_its_checkpoint()
    {
        string folder = TestWorlds.TempFolder("cli-continue");
        string first = Path.Combine(folder, "day-0.zip"), second = Path.Combine(folder, "day-1.zip");
        string train = TestWorlds.Tiny.Files[DatasetSplit.SubTrain];
        var (code, output) = CliRunner.Run("train", "--data", train, "--knowledge", TestModels.KnowledgeZip.Value, "--out", first, "--quiet");
        Assert.AreEqual(0, code, output);

        // The checkpoint in the zip is the model the zip scores with.
        using (var checkpoint = KEEP.MLNet.Plugin.KeepDnnModelFile.LoadCheckpoint(first))
        {
            var ml = new MLContext(1);
            var test = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTest], 50);
            var fromZip = KeepModel.Load(ml, first, out _).Transform(test).GetColumn<float>("Probability").ToArray();
            var fromCheckpoint = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).SelectMany(checkpoint.Predict).ToArray();
            Assert.AreEqual(0, fromZip.Select((p, i) => Math.Abs(p - fromCheckpoint[i])).Max(), 1e-4);
            Assert.IsNotNull(checkpoint.KnowledgeModel, "the checkpoint carries its knowledge model");
        }

        (code, output) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--continue-from", first, "--out", second, "--quiet");
        Assert.AreEqual(0, code, output);
        using var before = KEEP.MLNet.Plugin.KeepDnnModelFile.LoadCheckpoint(first);
        using var after = KEEP.MLNet.Plugin.KeepDnnModelFile.LoadCheckpoint(second);
        Assert.IsGreaterThan(before.Losses.Count, after.Losses.Count, "the loss curve goes on");
        CollectionAssert.AreEqual(before.Losses.ToArray(), after.Losses.Take(before.Losses.Count).ToArray());
        var batch = ImpressionFile.Read(train).First();
        CollectionAssert.AreNotEqual(before.Predict(batch), after.Predict(batch), "training moved the model");
    }

    [TestMethod]
    public void Continuing_with_a_second_knowledge_model_is_refused()
    {
        string zip = Path.Combine(TestWorlds.TempFolder("cli-continue-refused"), "m.zip");
        var (code, output) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--continue-from", TestModels.KnowledgeZip.Value,
            "--knowledge", TestModels.KnowledgeZip.Value, "--out", zip);
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "carries its own knowledge");
    }
}
