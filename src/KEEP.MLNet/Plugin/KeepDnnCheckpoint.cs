using System.IO.Compression;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained KEEP DNN as a checkpoint (a zip of options, loss curve, vocabularies, weights and the knowledge
/// models it reads — a pre-trained KEEP model, a ROK knowledge base, or both side by side), so training can
/// resume, continue on the next days or warm-start another model. A DNN reading cached knowledge is not
/// checkpointed: its knowledge lives in the store.
/// </summary>
public static class KeepDnnCheckpoint
{
    /// <summary>2: any list of KEEP and ROK sources. 1 (still read): at most one KEEP model.</summary>
    private const int FormatVersion = 2;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>True when the model's knowledge can travel in a checkpoint: none, or pre-trained KEEP and/or ROK models.</summary>
    public static bool CanSave(KeepDnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return KnowledgeParts.Of(model.Knowledge).All(p => p is ExactKnowledge or RokKnowledge);
    }

    /// <summary>Writes the checkpoint to a stream.</summary>
    public static void Save(KeepDnn model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!CanSave(model))
            throw new NotSupportedException($"A KEEP DNN with {model.Knowledge!.GetType().Name} is not checkpointed; only the base DNN and one plugged with pre-trained KEEP or ROK models are.");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var parts = KnowledgeParts.Of(model.Knowledge);
        var sources = new List<Source>();
        for (int i = 0; i < parts.Count; i++)
        {
            string entryName = $"knowledge-{i}.keep";
            using var entry = zip.CreateEntry(entryName).Open();
            switch (parts[i])
            {
                case ExactKnowledge exact:
                    exact.Model.Save(entry);
                    sources.Add(new Source(SourceType.Keep, entryName, exact.Kinds, null));
                    break;
                case RokKnowledge rok:
                    rok.Model.Save(entry);
                    sources.Add(new Source(SourceType.Rok, entryName, null, rok.Kinds));
                    break;
            }
        }
        using (var entry = new StreamWriter(zip.CreateEntry("keep-dnn.json").Open()))
            entry.Write(JsonSerializer.Serialize(new Header(FormatVersion, model.Options, model.Losses, null, sources), Json));
        using (var writer = new BinaryWriter(zip.CreateEntry("vocabularies.bin").Open()))
            model.Vocabularies.Write(writer);
        using (var weights = zip.CreateEntry("weights.bin").Open())
            model.Network.save(weights);
    }

    /// <summary>Loads a checkpoint; the returned model owns the knowledge models it carries. <paramref name="name"/> names it in errors.</summary>
    public static KeepDnn Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var owned = new List<IDisposable>();
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var header = CheckpointArchive.ReadJson<Header>(zip, "keep-dnn.json");
            if (header.Version is < 1 or > FormatVersion) throw new InvalidDataException($"KEEP DNN checkpoint format {header.Version}; this KEEP.MLNet reads formats 1 to {FormatVersion}");
            header.Options.Validate();
            var vocabularies = CheckpointArchive.Read(zip, "vocabularies.bin", s => FeatureVocabularies.Read(new BinaryReader(s)));
            var parts = SourcesOf(header).Select(source => LoadSource(zip, source, name, owned)).ToArray();
            IKnowledgeSource? knowledge = parts.Length switch { 0 => null, 1 => parts[0], _ => new CombinedKnowledge(parts) };
            var network = Layers.SeededInitialisation.Unseeded(() => new KeepDnnModel(vocabularies, header.Options, knowledge?.Width ?? 0));
            CheckpointArchive.Read(zip, "weights.bin", s => network.load(s));
            network.eval();
            return new KeepDnn(header.Options, vocabularies, network, knowledge, header.Losses, owned);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or ArgumentException)
        {
            foreach (var model in owned) model.Dispose();
            throw new DataFormatException(name, null, null, $"not a usable KEEP DNN checkpoint ({e.Message})", e);
        }
        catch
        {
            foreach (var model in owned) model.Dispose();
            throw;
        }
    }

    /// <summary>Format 1 named at most one KEEP model, in <c>knowledge.keep</c>.</summary>
    private static IReadOnlyList<Source> SourcesOf(Header header)
        => header.Sources ?? (header.Knowledge is { } kinds ? [new Source(SourceType.Keep, "knowledge.keep", kinds, null)] : []);

    private static IKnowledgeSource LoadSource(ZipArchive zip, Source source, string name, List<IDisposable> owned)
    {
        string where = $"{name}:{source.Entry}";
        switch (source.Type)
        {
            case SourceType.Keep:
                var keep = CheckpointArchive.Read(zip, source.Entry, s => PretrainedModel.Load(s, where));
                owned.Add(keep);
                return new ExactKnowledge(keep, source.Keep ?? KnowledgeKinds.All);
            case SourceType.Rok:
                var rok = CheckpointArchive.Read(zip, source.Entry, s => RokModel.Load(s, where));
                owned.Add(rok);
                return new RokKnowledge(rok, source.Rok ?? RokKnowledgeKinds.Instance);
            default:
                throw new InvalidDataException($"unknown knowledge source type {source.Type} in {where}");
        }
    }

    private enum SourceType { Keep, Rok }

    private sealed record Source(SourceType Type, string Entry, KnowledgeKinds? Keep, RokKnowledgeKinds? Rok);

    // Knowledge: format 1 only, the kinds of the one KEEP model. Sources: format 2, the knowledge sources in plug-in input order.
    private sealed record Header(int Version, KeepDnnOptions Options, IReadOnlyList<double> Losses, KnowledgeKinds? Knowledge, IReadOnlyList<Source>? Sources);
}
