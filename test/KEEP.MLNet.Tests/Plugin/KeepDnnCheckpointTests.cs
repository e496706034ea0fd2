using System.IO.Compression;
using System.Text.Json.Nodes;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;

namespace KEEP.MLNet.Tests.Plugin;

[TestClass]
public sealed class KeepDnnCheckpointTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [16], AttentionLayers = [8], PluginHidden = [8], BatchSize = 256, Seed = 2 };

    private static IEnumerable<ImpressionBatch> Rows() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).Take(2);

    [TestMethod]
    public void A_format_1_checkpoint_with_one_KEEP_model_still_loads()
    {
        using var model = new KeepDnnTrainer(Small).Fit(Rows, new ExactKnowledge(TestModels.TinyModel, KnowledgeKinds.User | KnowledgeKinds.Interaction));
        using var current = new MemoryStream();
        KeepDnnCheckpoint.Save(model, current);

        // What format 1 of keep-dnn.json wrote: the kinds of the one KEEP model in the header, the model in knowledge.keep.
        using var old = Rewrite(current, header =>
        {
            var losses = header["State"]!["Losses"]!.DeepClone();
            foreach (var name in new[] { "Kind", "Format", "Library", "State" }) header.Remove(name);
            header["Version"] = 1;
            header["Losses"] = losses;
            header["Knowledge"] = (int)(KnowledgeKinds.User | KnowledgeKinds.Interaction);
        }, entry => entry switch { "model.json" => "keep-dnn.json", "knowledge/0.keep" => "knowledge.keep", _ => entry });
        using var loaded = KeepDnnCheckpoint.Load(old, "old.keep");
        Assert.AreEqual(KnowledgeKinds.User | KnowledgeKinds.Interaction, ((ExactKnowledge)loaded.Knowledge!).Kinds);
        CollectionAssert.AreEqual(model.Losses.ToArray(), loaded.Losses.ToArray());
        var rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(model.Predict(rows), loaded.Predict(rows));
    }

    [TestMethod]
    public void The_header_names_the_kind_the_layout_the_library_and_each_knowledge_source_by_its_registered_kind()
    {
        using var model = new KeepDnnTrainer(Small).Fit(Rows, new CombinedKnowledge([
            new ExactKnowledge(TestModels.TinyModel, KnowledgeKinds.Item),
            new KEEP.MLNet.Retrieval.RokKnowledge(KEEP.MLNet.Tests.Retrieval.RokTests.Trained.Value.Model, KEEP.MLNet.Retrieval.RokKnowledgeKinds.Fields)]));
        using var saved = new MemoryStream();
        KeepDnnCheckpoint.Save(model, saved);
        JsonObject header;
        using (var zip = new ZipArchive(new MemoryStream(saved.ToArray()), ZipArchiveMode.Read))
        {
            using var entry = zip.GetEntry("model.json")!.Open();
            header = JsonNode.Parse(entry)!.AsObject();
            CollectionAssert.IsSubsetOf(new[] { "model.json", "vocabularies.bin", "weights.bin", "knowledge/0.keep", "knowledge/1.keep" }, zip.Entries.Select(e => e.FullName).ToArray());
        }
        Assert.AreEqual("keep-dnn", (string?)header["Kind"]);
        Assert.AreEqual(1, (int?)header["Format"]);
        Assert.AreEqual(typeof(KeepDnn).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion, (string?)header["Library"]);
        Assert.AreEqual(Small.Seed, (int?)header["Options"]!["Seed"]);
        var sources = header["State"]!["Knowledge"]!.AsArray();
        Assert.AreEqual("keep", (string?)sources[0]!["Kind"]);
        Assert.AreEqual("Item", (string?)sources[0]!["Settings"]);
        Assert.AreEqual("rok", (string?)sources[1]!["Kind"]);
        Assert.AreEqual("Fields", (string?)sources[1]!["Settings"]);

        saved.Position = 0;
        using var loaded = KeepDnnCheckpoint.Load(saved, "both.keep");
        var rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(model.Predict(rows), loaded.Predict(rows));
    }

    [TestMethod]
    public void A_knowledge_kind_this_library_does_not_know_is_refused_by_name()
    {
        using var model = new KeepDnnTrainer(Small).Fit(Rows, new ExactKnowledge(TestModels.TinyModel));
        using var saved = new MemoryStream();
        KeepDnnCheckpoint.Save(model, saved);
        using var edited = Rewrite(saved, header => header["State"]!["Knowledge"]![0]!["Kind"] = "graph-knowledge");
        var e = Assert.ThrowsExactly<DataFormatException>(() => KeepDnnCheckpoint.Load(edited, "other.keep"));
        StringAssert.Contains(e.Message, "unknown knowledge kind 'graph-knowledge'");
        StringAssert.Contains(e.Message, "keep, rok");
    }

    [TestMethod]
    public void A_checkpoint_from_a_newer_format_is_refused_by_name_and_version()
    {
        using var model = new KeepDnnTrainer(Small).Fit(Rows, (IKnowledgeSource?)null);
        using var saved = new MemoryStream();
        KeepDnnCheckpoint.Save(model, saved);
        using var newer = Rewrite(saved, header => header["Format"] = 99);
        var e = Assert.ThrowsExactly<DataFormatException>(() => KeepDnnCheckpoint.Load(newer, "future.keep"));
        StringAssert.Contains(e.Message, "future.keep");
        StringAssert.Contains(e.Message, "format 99");
    }

    /// <summary>A copy of a checkpoint with its header edited and entries renamed, positioned at its start.</summary>
    private static MemoryStream Rewrite(MemoryStream checkpoint, Action<JsonObject> editHeader, Func<string, string>? rename = null)
    {
        var copy = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(checkpoint.ToArray()), ZipArchiveMode.Read))
        using (var target = new ZipArchive(copy, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                using var output = target.CreateEntry(rename?.Invoke(entry.FullName) ?? entry.FullName).Open();
                if (entry.FullName != "model.json")
                {
                    input.CopyTo(output);
                    continue;
                }
                var header = JsonNode.Parse(input)!.AsObject();
                editHeader(header);
                output.Write(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()));
            }
        copy.Position = 0;
        return copy;
    }
}
