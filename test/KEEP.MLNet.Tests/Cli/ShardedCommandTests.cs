using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Tests.Serving;
using KEEP.MLNet.Tests.Training;

namespace KEEP.MLNet.Tests.Cli;

/// <summary><c>keep evaluate</c> and <c>keep extract</c> over a folder of shards, in one process and as ranks under <c>mpiexec</c>.</summary>
[TestClass]
public sealed class ShardedCommandTests
{
    /// <summary>The tiny world's test day in three shards, row r in shard r mod 3: every user's rows are spread over the shards.</summary>
    private static readonly Lazy<string> TestShards = new(() =>
    {
        string folder = TestWorlds.TempFolder("shards");
        var writers = Enumerable.Range(0, 3).Select(s => new ParquetImpressionWriter(Path.Combine(folder, $"part-{s}.parquet"))).ToArray();
        long row = 0;
        foreach (var batch in ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]))
        {
            var parts = Enumerable.Range(0, 3).Select(_ => new ImpressionBatch(batch.Count)).ToArray();
            for (int r = 0; r < batch.Count; r++) parts[row++ % 3].AddRow(batch, r);
            for (int s = 0; s < 3; s++) writers[s].Write(parts[s]);
        }
        foreach (var writer in writers)
        {
            writer.Complete();
            writer.Dispose();
        }
        return folder;
    });

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void GAUC_of_shards_scored_by_two_ranks_is_that_of_the_whole_file()
    {
        string model = ServingHostTests.KeepDnnZip.Value;
        var (code, text) = CliRunner.Run("evaluate", "--model", model, "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTest], "--json");
        Assert.AreEqual(0, code, text);
        var whole = JsonDocument.Parse(text).RootElement.GetProperty("overall");
        (code, text) = CliRunner.Run("evaluate", "--model", model, "--data", TestShards.Value, "--json");
        Assert.AreEqual(0, code, text);
        AssertSameMetrics(whole, JsonDocument.Parse(text).RootElement.GetProperty("overall"), "one process over the shards");
        (code, text) = DistributedPretrainingTests.RunRanks(DistributedPretrainingTests.Mpiexec(), 2, ["evaluate", "--model", model, "--data", TestShards.Value, "--json"]);
        Assert.AreEqual(0, code, text);
        AssertSameMetrics(whole, JsonDocument.Parse(text[..(text.LastIndexOf('}') + 1)]).RootElement.GetProperty("overall"), "two ranks over the shards");

        (code, text) = CliRunner.Run("evaluate", "--model", model, "--data", TestShards.Value, "--buckets-from", TestWorlds.Tiny.Files[DatasetSplit.SubTrain]);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "--buckets-from evaluates one file");
    }

    private static void AssertSameMetrics(JsonElement expected, JsonElement actual, string what)
    {
        foreach (string count in new[] { "groups", "singleClassGroups", "impressions", "weightedImpressions", "missingLabels" })
            Assert.AreEqual(expected.GetProperty(count).GetInt64(), actual.GetProperty(count).GetInt64(), $"{what}: {count}");
        foreach (string metric in new[] { "gauc", "auc", "logLoss" })
            Assert.AreEqual(expected.GetProperty(metric).GetDouble(), actual.GetProperty(metric).GetDouble(), 1e-12, $"{what}: {metric}");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void Two_ranks_extract_every_shard_to_the_file_one_process_writes()
    {
        string knowledge = TestModels.KnowledgeZip.Value;
        string one = Path.Combine(TestWorlds.TempFolder("extract-one"), "out"), two = Path.Combine(TestWorlds.TempFolder("extract-two"), "out");
        var (code, text) = CliRunner.Run("extract", "--model", knowledge, "--data", TestShards.Value, "--out", one, "--json");
        Assert.AreEqual(0, code, text);
        (code, text) = DistributedPretrainingTests.RunRanks(DistributedPretrainingTests.Mpiexec(), 2, ["extract", "--model", knowledge, "--data", TestShards.Value, "--out", two, "--json"]);
        Assert.AreEqual(0, code, text);
        var summary = JsonDocument.Parse(text[..(text.LastIndexOf('}') + 1)]).RootElement;
        Assert.AreEqual(2, summary.GetProperty("ranks").GetInt32());
        Assert.AreEqual(3, summary.GetProperty("shards").GetInt32());
        long rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).Sum(b => (long)b.Count);
        Assert.AreEqual(rows, summary.GetProperty("rows").GetInt64(), "the ranks' rows are summed");
        var names = Directory.GetFiles(TestShards.Value).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(names, Directory.GetFiles(two).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList(), "one output per shard, named as the shard");
        foreach (var name in names)
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(one, name)), File.ReadAllBytes(Path.Combine(two, name)), name);
    }
}
