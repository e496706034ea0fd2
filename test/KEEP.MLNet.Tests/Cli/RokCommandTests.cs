using System.Text.Json;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class RokCommandTests
{
    [TestMethod]
    public void Rok_trains_a_knowledge_base_that_train_plugs_in_beside_KEEP()
    {
        string folder = TestWorlds.TempFolder("rok-cli");
        string rok = Path.Combine(folder, "rok.keep"), model = Path.Combine(folder, "keep-rok-dnn.zip");
        var (code, text) = CliRunner.Run("rok", "--data", TestWorlds.Tiny.Files[DatasetSplit.Super], "--out", rok, "--json");
        Assert.AreEqual(0, code, text);
        using (var json = JsonDocument.Parse(text))
            Assert.IsGreaterThan(10_000, json.RootElement.GetProperty("indexedRows").GetInt64());
        using (var loaded = RokModel.Load(rok)) Assert.AreEqual(64, loaded.FieldsDim);

        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--knowledge", TestModels.KnowledgeZip.Value,
            "--rok", rok, "--rok-kinds", "Both", "--out", model, "--json");
        Assert.AreEqual(0, code, text);
        using (var json = JsonDocument.Parse(text)) Assert.AreEqual("keep-dnn + ROK", json.RootElement.GetProperty("trainer").GetString());
        (code, text) = CliRunner.Run("evaluate", "--model", model, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--json");
        Assert.AreEqual(0, code, text);
        using (var json = JsonDocument.Parse(text))
            Assert.IsTrue(json.RootElement.GetProperty("overall").GetProperty("gauc").GetDouble() is > 0 and < 1, text);

        // The KEEP + ROK DNN carries its knowledge models, so it continues on the next days by itself.
        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--continue-from", model, "--out", Path.Combine(folder, "continued.zip"), "--json");
        Assert.AreEqual(0, code, text);
        using (var json = JsonDocument.Parse(text)) Assert.AreEqual("keep-dnn (continued) + ROK", json.RootElement.GetProperty("trainer").GetString());
        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--continue-from", model, "--rok", rok, "--out", Path.Combine(folder, "twice.zip"));
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "carries its own knowledge models");

        string fastTree = Path.Combine(folder, "ft.zip");
        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--trainer", "fasttree", "--knowledge", TestModels.KnowledgeZip.Value,
            "--rok", rok, "--out", fastTree, "--json");
        Assert.AreEqual(0, code, text);
        using (var json = JsonDocument.Parse(text)) Assert.AreEqual("fasttree + ROK", json.RootElement.GetProperty("trainer").GetString());
        (code, text) = CliRunner.Run("predict", "--model", fastTree, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--out", Path.Combine(folder, "scores.parquet"));
        Assert.AreEqual(0, code, text);

        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--knowledge", TestModels.KnowledgeZip.Value, "--out", model, "--resume");
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "leave out --knowledge");
    }
}
