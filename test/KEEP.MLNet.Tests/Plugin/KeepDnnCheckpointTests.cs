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

        // What format 1 wrote: the kinds of the one KEEP model in the header, the model in knowledge.keep.
        using var old = Rewrite(current, header =>
        {
            header["Version"] = 1;
            header["Knowledge"] = (int)(KnowledgeKinds.User | KnowledgeKinds.Interaction);
            header.Remove("Sources");
        }, entry => entry == "knowledge-0.keep" ? "knowledge.keep" : entry);
        using var loaded = KeepDnnCheckpoint.Load(old, "old.keep");
        Assert.AreEqual(KnowledgeKinds.User | KnowledgeKinds.Interaction, ((ExactKnowledge)loaded.Knowledge!).Kinds);
        var rows = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(model.Predict(rows), loaded.Predict(rows));
    }

    [TestMethod]
    public void A_checkpoint_from_a_newer_format_is_refused_by_name_and_version()
    {
        using var model = new KeepDnnTrainer(Small).Fit(Rows, (IKnowledgeSource?)null);
        using var saved = new MemoryStream();
        KeepDnnCheckpoint.Save(model, saved);
        using var newer = Rewrite(saved, header => header["Version"] = 99);
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
                if (entry.FullName != "keep-dnn.json")
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
