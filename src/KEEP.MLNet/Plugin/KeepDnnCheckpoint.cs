using System.IO.Compression;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained KEEP DNN as a checkpoint (the one model archive: options, loss curve, vocabularies, weights,
/// and the knowledge models it reads — any kinds that can travel in a checkpoint, side by side), so training
/// can resume, continue on the next days or warm-start another model. A DNN reading cached knowledge is not
/// checkpointed: its knowledge lives in the store.
/// </summary>
public static class KeepDnnCheckpoint
{
    /// <summary>True when the model's knowledge can travel in a checkpoint: none, or models of kinds a checkpoint carries (pre-trained KEEP, ROK).</summary>
    public static bool CanSave(KeepDnn model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return KnowledgeParts.Of(model.Knowledge).All(p => KnowledgeArchive.KindOf(p) != null);
    }

    /// <summary>Writes the checkpoint to a stream.</summary>
    public static void Save(KeepDnn model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        WriteTo(model, zip);
    }

    /// <summary>Adds the checkpoint's parts to an archive being written.</summary>
    internal static void WriteTo(KeepDnn model, ZipArchive zip)
    {
        if (!CanSave(model))
            throw new NotSupportedException($"A KEEP DNN with {model.Knowledge!.GetType().Name} is not checkpointed; only the base DNN and one plugged with models of the kinds {string.Join(", ", KnowledgeArchive.Names)} are.");
        var parts = KnowledgeParts.Of(model.Knowledge);
        var sources = new List<Source>();
        for (int i = 0; i < parts.Count; i++)
        {
            var part = (IArchivedKnowledge)parts[i];
            string entry = $"knowledge/{i}.keep";
            CheckpointArchive.Write(zip, entry, part.SaveModel);
            sources.Add(new Source(KnowledgeArchive.KindOf(part)!, entry, part.ArchiveSettings));
        }
        ModelArchive.Write(zip, ModelKind.Dnn, model.Options, new State(model.Losses, sources), model.Vocabularies.Write, model.Network);
        AdamSlots.WriteTo(zip, model.OptimizerState);
    }

    /// <summary>Loads a checkpoint; the returned model owns the knowledge models it carries. <paramref name="name"/> names it in errors.</summary>
    public static KeepDnn Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return CheckpointArchive.Open(name, () => stream, zip => ReadFrom(zip, name), "KEEP DNN checkpoint");
    }

    /// <summary>Reads the checkpoint from an open archive (its own file, or the parts of a resume checkpoint).</summary>
    internal static KeepDnn ReadFrom(ZipArchive zip, string name)
    {
        var owned = new List<IDisposable>();
        try
        {
            var (options, state) = ModelArchive.IsArchive(zip) ? ModelArchive.ReadHeader<KeepDnnOptions, State>(zip, ModelKind.Dnn) : ReadLegacyHeader(zip);
            options.Validate();
            var vocabularies = ModelArchive.ReadVocabularies(zip, FeatureVocabularies.Read);
            var parts = (state?.Knowledge ?? []).Select(source =>
            {
                var loaded = CheckpointArchive.Read(zip, source.Entry, s => KnowledgeArchive.Load(source.Kind, s, $"{name}:{source.Entry}", source.Settings ?? ""));
                owned.Add(loaded.Model);
                return loaded.Source;
            }).ToArray();
            IKnowledgeSource? knowledge = parts.Length switch { 0 => null, 1 => parts[0], _ => new CombinedKnowledge(parts) };
            var network = ModelArchive.LoadWeights(zip, Layers.SeededInitialisation.Unseeded(() => new KeepDnnModel(vocabularies, options, knowledge?.Width ?? 0)));
            network.eval();
            return new KeepDnn(options, vocabularies, network, knowledge, state?.Losses ?? [], owned, AdamSlots.ReadFrom(zip));
        }
        catch
        {
            foreach (var model in owned) model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Before the one model archive, <c>keep-dnn.json</c>: format 2 listed KEEP and ROK sources by an enum,
    /// format 1 named at most one KEEP model, in <c>knowledge.keep</c>.
    /// </summary>
    private static (KeepDnnOptions, State) ReadLegacyHeader(ZipArchive zip)
    {
        var header = ModelArchive.ReadLegacyHeader<LegacyHeader>(zip, "keep-dnn.json");
        if (header.Version is < 1 or > 2) throw new InvalidDataException($"KEEP DNN checkpoint format {header.Version}; this KEEP.MLNet reads formats 1 and 2 of keep-dnn.json");
        var sources = header.Sources?.Select(s => s.Type switch
        {
            LegacyType.Keep => new Source("keep", s.Entry, s.Keep is { } kinds ? ((int)kinds).ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
            LegacyType.Rok => new Source("rok", s.Entry, s.Rok is { } rok ? rok.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
            _ => throw new InvalidDataException($"unknown knowledge source type {s.Type}"),
        }).ToList()
            ?? (header.Knowledge is { } one ? [new Source("keep", "knowledge.keep", ((int)one).ToString(System.Globalization.CultureInfo.InvariantCulture))] : []);
        return (header.Options, new State(header.Losses ?? [], sources));
    }

    /// <summary>A knowledge model the checkpoint carries: its kind (as registered), its entry, the kind's settings.</summary>
    private sealed record Source(string Kind, string Entry, string? Settings);

    /// <summary>What a KEEP DNN adds to the archive header: the loss curve and the knowledge sources in plug-in input order.</summary>
    private sealed record State(IReadOnlyList<double> Losses, IReadOnlyList<Source> Knowledge);

    private enum LegacyType { Keep, Rok }

    private sealed record LegacySource(LegacyType Type, string Entry, KnowledgeKinds? Keep, int? Rok);

    // Knowledge: format 1 only, the kinds of the one KEEP model. Sources: format 2, the knowledge sources in plug-in input order.
    private sealed record LegacyHeader(int Version, KeepDnnOptions Options, IReadOnlyList<double>? Losses, KnowledgeKinds? Knowledge, IReadOnlyList<LegacySource>? Sources);
}
