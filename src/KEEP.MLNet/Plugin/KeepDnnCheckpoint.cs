using System.IO.Compression;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained KEEP DNN as a checkpoint (a zip of options, loss curve, vocabularies, weights and — when
/// plugged with exact knowledge — the knowledge model it reads), so training can continue on the next
/// days or warm-start another model. A DNN reading cached knowledge is not checkpointed: its knowledge
/// lives in the store.
/// </summary>
public static class KeepDnnCheckpoint
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>True when the model's knowledge can travel in a checkpoint: none, or a pre-trained KEEP model.</summary>
    public static bool CanSave(KeepDnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Knowledge == null || model.KnowledgeModel != null;
    }

    /// <summary>Writes the checkpoint to a stream.</summary>
    public static void Save(KeepDnn model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!CanSave(model))
            throw new NotSupportedException($"A KEEP DNN with {model.Knowledge!.GetType().Name} is not checkpointed; only the base DNN and one plugged with a pre-trained KEEP model are.");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var kinds = (model.Knowledge as ExactKnowledge)?.Kinds;
        using (var entry = new StreamWriter(zip.CreateEntry("keep-dnn.json").Open()))
            entry.Write(JsonSerializer.Serialize(new Header(FormatVersion, model.Options, model.Losses, kinds), Json));
        using (var writer = new BinaryWriter(zip.CreateEntry("vocabularies.bin").Open()))
            model.Vocabularies.Write(writer);
        using (var weights = zip.CreateEntry("weights.bin").Open())
            model.Network.save(weights);
        if (model.KnowledgeModel is { } knowledge)
            using (var entry = zip.CreateEntry("knowledge.keep").Open())
                knowledge.Save(entry);
    }

    /// <summary>Loads a checkpoint; the returned model owns the knowledge model it carries. <paramref name="name"/> names it in errors.</summary>
    public static KeepDnn Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        PretrainedModel? knowledge = null;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var header = CheckpointArchive.ReadJson<Header>(zip, "keep-dnn.json");
            if (header.Version != FormatVersion) throw new InvalidDataException($"KEEP DNN checkpoint format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
            header.Options.Validate();
            var vocabularies = CheckpointArchive.Read(zip, "vocabularies.bin", s => FeatureVocabularies.Read(new BinaryReader(s)));
            ExactKnowledge? source = null;
            if (header.Knowledge is { } kinds)
            {
                knowledge = CheckpointArchive.Read(zip, "knowledge.keep", s => PretrainedModel.Load(s, $"{name}:knowledge.keep"));
                source = new ExactKnowledge(knowledge, kinds);
            }
            var network = new KeepDnnModel(vocabularies, header.Options, source?.Width ?? 0);
            CheckpointArchive.Read(zip, "weights.bin", s => network.load(s));
            network.eval();
            return new KeepDnn(header.Options, vocabularies, network, source, header.Losses, ownsKnowledge: true);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or ArgumentException)
        {
            knowledge?.Dispose();
            throw new DataFormatException(name, null, null, $"not a usable KEEP DNN checkpoint ({e.Message})", e);
        }
    }

    private sealed record Header(int Version, KeepDnnOptions Options, IReadOnlyList<double> Losses, KnowledgeKinds? Knowledge);
}
