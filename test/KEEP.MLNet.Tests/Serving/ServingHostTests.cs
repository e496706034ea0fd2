using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using KEEP.MLNet.ServingSample;
using KEEP.MLNet.Tests.Cli;
using KEEP.MLNet.Tests.Knowledge;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Serving;

/// <summary>The serving sample on loopback: its scores are <c>keep predict</c>'s, under concurrent clients.</summary>
[TestClass]
public sealed class ServingHostTests
{
    private static readonly string TestFile = TestWorlds.Tiny.Files[DatasetSplit.SubTest];

    /// <summary>A KEEP DNN with the tiny knowledge model plugged in, trained and saved by the CLI.</summary>
    internal static readonly Lazy<string> KeepDnnZip = new(() =>
    {
        string zip = Path.Combine(TestWorlds.TempFolder("serving-model"), "keep-dnn.zip");
        var (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--knowledge", TestModels.KnowledgeZip.Value, "--out", zip, "--quiet");
        Assert.AreEqual(0, code, text);
        return zip;
    });

    private static async Task<(WebApplication App, HttpClient Client)> Start(ServingSettings settings)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = ServingApp.Build(builder, settings);
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    private static ImpressionRequest[] Requests(string file)
    {
        var rows = new List<ImpressionRequest>();
        foreach (var batch in ImpressionFile.Read(file))
            for (int r = 0; r < batch.Count; r++)
                rows.Add(new ImpressionRequest
                {
                    UserId = batch.UserId[r], ItemId = batch.ItemId[r], ShopId = batch.ShopId[r], CategoryId = batch.CategoryId[r],
                    HistoryItemIds = batch.HistoryItemsOf(r).ToArray(), HistoryShopIds = batch.HistoryShopsOf(r).ToArray(), HistoryCategoryIds = batch.HistoryCategoriesOf(r).ToArray(),
                });
        return [.. rows];
    }

    /// <summary>Every row scored by 16 concurrent clients, odd clients one row per request, even ones 7 rows per request.</summary>
    private static async Task<float[]> ScoreConcurrently(HttpClient client, ImpressionRequest[] rows, int clients = 16)
    {
        var probabilities = new float[rows.Length];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            int[] mine = [.. Enumerable.Range(0, rows.Length).Where(i => i % clients == c)];
            int per = c % 2 == 0 ? 7 : 1;
            foreach (var chunk in mine.Chunk(per))
            {
                if (per == 1)
                {
                    using var response = await client.PostAsJsonAsync("/predict", rows[chunk[0]]);
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
                    probabilities[chunk[0]] = (await response.Content.ReadFromJsonAsync<ImpressionScore>())!.Probability;
                }
                else
                {
                    using var response = await client.PostAsJsonAsync("/predict", chunk.Select(i => rows[i]).ToArray());
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
                    var scores = (await response.Content.ReadFromJsonAsync<ImpressionScore[]>())!;
                    for (int k = 0; k < chunk.Length; k++) probabilities[chunk[k]] = scores[k].Probability;
                }
            }
        }));
        return probabilities;
    }

    [TestMethod]
    public async Task A_KEEP_DNN_zip_serves_the_scores_keep_predict_writes_under_16_concurrent_clients()
    {
        string zip = KeepDnnZip.Value, scores = Path.Combine(TestWorlds.TempFolder("serving-predict"), "scores.parquet");
        var (code, text) = CliRunner.Run("predict", "--model", zip, "--data", TestFile, "--out", scores, "--quiet");
        Assert.AreEqual(0, code, text);
        var expected = FreshProcessTests.ReadFloats(scores, "Probability");

        var (app, client) = await Start(new ServingSettings { Model = zip, MaxEngines = 2 });
        await using (app)
        using (client)
        {
            var rows = Requests(TestFile);
            Assert.HasCount(expected.Length, rows);
            var served = await ScoreConcurrently(client, rows);
            double max = expected.Select((p, i) => Math.Abs(p - served[i])).Max();
            Assert.IsLessThan(1e-5, max, $"largest difference from keep predict: {max}");

            using var version = JsonDocument.Parse(await client.GetStringAsync("/version"));
            string sha;
            using (var file = File.OpenRead(zip)) sha = Convert.ToHexStringLower(SHA256.HashData(file));
            Assert.AreEqual(sha, version.RootElement.GetProperty("modelSha256").GetString());
            Assert.AreEqual("keep-dnn.zip", version.RootElement.GetProperty("model").GetString());
            Assert.AreEqual(JsonValueKind.Null, version.RootElement.GetProperty("knowledgeVersion").ValueKind);
            // The library version is the release number of Directory.Build.props, not the SDK's 1.0.0 placeholder.
            string prefix = System.Xml.Linq.XDocument.Load(Path.Combine(TestPaths.RepositoryRoot(), "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
            StringAssert.StartsWith(version.RootElement.GetProperty("library").GetString(), prefix);
            using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));
            Assert.AreEqual("ok", health.RootElement.GetProperty("status").GetString());
        }
    }

    [TestMethod]
    public async Task A_bad_row_is_a_400_naming_the_row_and_the_reason_and_the_host_keeps_serving()
    {
        var (app, client) = await Start(new ServingSettings { Model = KeepDnnZip.Value });
        await using (app)
        using (client)
        {
            var rows = Requests(TestFile).Take(3).ToArray();
            var bad = rows.Append(rows[0] with { ItemId = 0 }).ToArray();
            using var response = await client.PostAsJsonAsync("/predict", bad);
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
            string error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            StringAssert.StartsWith(error, "row 3: ");
            StringAssert.Contains(error, "itemId");

            using var misaligned = await client.PostAsJsonAsync("/predict", rows[0] with { HistoryShopIds = [1] });
            Assert.AreEqual(HttpStatusCode.BadRequest, misaligned.StatusCode);
            using var notJson = await client.PostAsync("/predict", new StringContent("{ userId: ", System.Text.Encoding.UTF8, "application/json"));
            Assert.AreEqual(HttpStatusCode.BadRequest, notJson.StatusCode);

            using var good = await client.PostAsJsonAsync("/predict", rows[0]);
            Assert.AreEqual(HttpStatusCode.OK, good.StatusCode);
        }
    }

    [TestMethod]
    public async Task A_model_trained_on_cached_knowledge_serves_from_its_pinned_store_version()
    {
        var ml = new MLContext(1);
        string folder = TestWorlds.TempFolder("serving-store");
        string store = Path.Combine(folder, "store"), zip = Path.Combine(folder, "fasttree.zip");
        using (var files = new FileKnowledgeStore(store)) files.Publish("2025-01-01", CompressionTests.Compressed.Value.ToTables());
        var train = ImpressionFile.Load(TestWorlds.Tiny.Files[DatasetSplit.SubTrain], 50);
        var test = ImpressionFile.Load(TestFile, 50);
        // The store is read at prediction time, so the zip holds what follows the lookup (serving.md).
        using var lookup = ml.Transforms.KeepCachedKnowledge(new CachedKnowledgeOptions { Store = store, Version = "2025-01-01" }).Fit(train);
        var downstream = BaseFeatures.Estimator(ml, hashBits: 10)
            .Append(ml.Transforms.Concatenate("Features", "Features", "K_cached"))
            .Append(ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
                { LabelColumnName = ImpressionColumns.Click, NumberOfTrees = 20, MinimumExampleCountPerLeaf = 20, Seed = 1 }))
            .Fit(lookup.Transform(train));
        ml.Model.Save(downstream, lookup.Transform(train).Schema, zip);
        var expected = downstream.Transform(lookup.Transform(test)).GetColumn<float>("Probability").ToArray();

        var (app, client) = await Start(new ServingSettings { Model = zip, Knowledge = new ServedKnowledgeOptions { Store = store, Version = "2025-01-01" } });
        await using (app)
        using (client)
        {
            var served = await ScoreConcurrently(client, Requests(TestFile), clients: 4);
            double max = expected.Select((p, i) => Math.Abs(p - served[i])).Max();
            Assert.IsLessThan(1e-5, max, $"largest difference from the in-process chain: {max}");
            using var version = JsonDocument.Parse(await client.GetStringAsync("/version"));
            Assert.AreEqual("2025-01-01", version.RootElement.GetProperty("knowledgeVersion").GetString());
            Assert.AreEqual(Path.GetFullPath(store), version.RootElement.GetProperty("knowledgeStore").GetString());
        }
    }

    [TestMethod]
    public void A_missing_store_version_stops_the_start_naming_the_versions_the_store_has()
    {
        string store = Path.Combine(TestWorlds.TempFolder("serving-missing"), "store");
        using (var files = new FileKnowledgeStore(store)) files.Publish("2025-01-01", CompressionTests.Compressed.Value.ToTables());
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        var e = Assert.ThrowsExactly<KnowledgeVersionNotFoundException>(() => ServingApp.Build(builder,
            new ServingSettings { Model = KeepDnnZip.Value, Knowledge = new ServedKnowledgeOptions { Store = store, Version = "2030-01-01" } }));
        StringAssert.Contains(e.Message, "2025-01-01");
    }

    [TestMethod]
    public void A_model_without_the_score_columns_the_host_returns_stops_the_start_naming_them()
    {
        // Any ML.NET zip over the rows the host sends, here one that writes no score at all.
        var ml = new MLContext(1);
        var rows = ml.Data.LoadFromEnumerable(new[] { ImpressionInput.Create(1, 2, 3, 4, [5], [6], [7]) });
        string zip = Path.Combine(TestWorlds.TempFolder("serving-noscore"), "copy.zip");
        ml.Model.Save(ml.Transforms.CopyColumns("DnnScore", nameof(ImpressionInput.UserId)).Fit(rows), rows.Schema, zip);
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ServingApp.Build(builder, new ServingSettings { Model = zip }));
        StringAssert.Contains(e.Message, "no float column 'Score'");
        StringAssert.Contains(e.Message, "DnnScore");
    }

    [TestMethod]
    [DataRow(new string[0], "--model PATH")]
    [DataRow(new[] { "--model", "m.zip", "--store", "s" }, "--version")]
    [DataRow(new[] { "--model", "m.zip", "--max-engines", "0" }, "--max-engines '0'")]
    [DataRow(new[] { "--model", "m.zip", "--store", "s", "--version", "v", "--layout", "Eq6" }, "--layout 'Eq6'")]
    public void Settings_errors_name_the_setting(string[] args, string expected)
    {
        var configuration = WebApplication.CreateBuilder(args).Configuration;
        var e = Assert.ThrowsExactly<ArgumentException>(() => ServingSettings.From(configuration));
        StringAssert.Contains(e.Message, expected);
    }
}
