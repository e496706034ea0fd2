using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Serving;
using KEEP.MLNet.Tests.Cli;

namespace KEEP.MLNet.Tests.Serving;

[TestClass]
public sealed class PublishCommandTests
{
    [TestMethod]
    public void Publish_to_a_file_store_adds_a_version_readable_by_the_store()
    {
        string store = TestWorlds.TempFolder("publish-store");
        string data = Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.Super])!;
        var (code, output) = CliRunner.Run("publish", "--model", TestModels.KnowledgeZip.Value, "--data", data, "--store", store, "--version", "2025-01-01", "--student-rows", "3000", "--json");
        Assert.AreEqual(0, code, output);
        using var json = JsonDocument.Parse(output);
        Assert.AreEqual("2025-01-01", json.RootElement.GetProperty("versions")[0].GetString());
        using var opened = new FileKnowledgeStore(store);
        long user = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First().UserId[0];
        int servedUsers = new[] { DatasetSplit.SubTrain, DatasetSplit.SubTest }.SelectMany(s => ImpressionFile.Read(TestWorlds.Tiny.Files[s]))
            .SelectMany(b => b.UserId.ToArray()).Distinct().Count();
        Assert.AreEqual(servedUsers, json.RootElement.GetProperty("users").GetInt32());
        Assert.IsNotNull(opened.Get("2025-01-01", KnowledgeTableKind.User, user));
    }

    [TestMethod]
    public void Publish_to_a_Redis_that_is_down_exits_1_naming_the_store()
    {
        string data = Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.Super])!;
        string address = $"redis://127.0.0.1:{RedisServer.FreePort()}";
        var (code, output) = CliRunner.Run("publish", "--model", TestModels.KnowledgeZip.Value, "--data", data, "--store", address, "--version", "v1", "--student-rows", "1000", "--quiet");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "cannot connect to Redis");
    }

    [TestMethod]
    public void The_store_is_checked_before_any_work()
    {
        // The model path does not exist: an error about the store shows the store was checked before the model was read.
        string data = Path.GetDirectoryName(TestWorlds.Tiny.Files[DatasetSplit.Super])!;
        string missingModel = Path.Combine(TestWorlds.TempFolder("publish-order"), "absent.zip");
        var (code, output) = CliRunner.Run("publish", "--model", missingModel, "--data", data, "--store", $"redis://127.0.0.1:{RedisServer.FreePort()}", "--version", "v1", "--quiet");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "cannot connect to Redis");

        string store = TestWorlds.TempFolder("publish-taken");
        using (var files = new FileKnowledgeStore(store)) files.Publish("v1", [new KnowledgeTable(KnowledgeTableKind.User, 2, [7], [1f, 2f])]);
        (code, output) = CliRunner.Run("publish", "--model", missingModel, "--data", data, "--store", store, "--version", "v1", "--quiet");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "version 'v1' is already published");
    }
}
