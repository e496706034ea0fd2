using System.IO.Compression;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// A trained ROK knowledge base: computes retrieval-oriented knowledge from a row's own ids — no retrieval
/// at inference. Saved as a checkpoint (options, history, vocabularies, weights).
/// </summary>
public sealed class RokModel : IDisposable
{
    internal RokModel(RokOptions options, FeatureVocabularies vocabularies, RokKnowledgeBase network, RokHistory history)
    {
        Options = options;
        Vocabularies = vocabularies;
        Network = network;
        History = history;
    }

    /// <summary>The settings it was trained with.</summary>
    public RokOptions Options { get; }
    /// <summary>The vocabularies.</summary>
    public FeatureVocabularies Vocabularies { get; }
    /// <summary>The network.</summary>
    public RokKnowledgeBase Network { get; }
    /// <summary>Loss curves of the teacher and of distillation.</summary>
    public RokHistory History { get; }

    /// <summary>Width of the instance-wise knowledge (the reconstructed representation).</summary>
    public int InstanceDim => Options.RepresentationDim;
    /// <summary>Width of the feature-wise knowledge (user, item, shop and category embeddings).</summary>
    public int FieldsDim => Network.FieldsDim;

    /// <summary>Both kinds of knowledge for every row of a batch.</summary>
    public RokBlock Compute(ImpressionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Network.eval();
        var (fields, reconstruction) = Network.forward(ModelInput.From(batch, 0, batch.Count, Vocabularies, Options.HistoryLength).ToTensors());
        return new RokBlock(batch.Count, reconstruction.contiguous().data<float>().ToArray(), fields.contiguous().data<float>().ToArray());
    }

    /// <summary>Saves the checkpoint to <paramref name="path"/> (atomically).</summary>
    public void Save(string path)
    {
        using var file = new AtomicFile(path);
        Save(file.Stream);
        file.Commit();
    }

    /// <summary>Writes the checkpoint to a stream.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        ModelArchive.Write(zip, ModelKind.Rok, Options, History, Vocabularies.Write, Network);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save(string)"/> (or by an earlier version of the library).</summary>
    public static RokModel Load(string path) => CheckpointArchive.Open(path, () => File.OpenRead(path), ReadFrom, "ROK checkpoint");

    /// <summary>Loads a checkpoint from a stream; <paramref name="name"/> names it in errors.</summary>
    public static RokModel Load(Stream stream, string name) => CheckpointArchive.Open(name, () => stream, ReadFrom, "ROK checkpoint");

    private static RokModel ReadFrom(ZipArchive zip)
    {
        var (options, history) = ModelArchive.IsArchive(zip) ? ModelArchive.ReadHeader<RokOptions, RokHistory>(zip, ModelKind.Rok) : ReadLegacyHeader(zip);
        options.Validate();
        var vocabularies = ModelArchive.ReadVocabularies(zip, FeatureVocabularies.Read);
        var network = ModelArchive.LoadWeights(zip, Layers.SeededInitialisation.Unseeded(() => new RokKnowledgeBase(vocabularies, options)));
        network.eval();
        return new RokModel(options, vocabularies, network, history ?? new RokHistory());
    }

    /// <summary>Before the one model archive (format 1 of <c>rok.json</c>): the same options and history under another entry.</summary>
    private static (RokOptions, RokHistory) ReadLegacyHeader(ZipArchive zip)
    {
        var header = ModelArchive.ReadLegacyHeader<LegacyHeader>(zip, "rok.json");
        if (header.Version != 1) throw new InvalidDataException($"ROK checkpoint format {header.Version}; this KEEP.MLNet reads format 1 of rok.json");
        return (header.Options, header.History);
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => Network.Dispose();

    private sealed record LegacyHeader(int Version, RokOptions Options, RokHistory History);
}

/// <summary>ROK knowledge of a block of rows, row-major: instance-wise [rows × InstanceDim] and feature-wise [rows × FieldsDim].</summary>
public sealed record RokBlock(int Rows, float[] Instance, float[] Fields);

/// <summary>What training did, window by window.</summary>
public sealed record RokHistory
{
    /// <summary>Rows distilled on (per epoch).</summary>
    public long Rows { get; init; }
    /// <summary>Teacher's click loss per window.</summary>
    public IReadOnlyList<double> TeacherLosses { get; init; } = [];
    /// <summary>Distillation MSE (reconstruction error) per window.</summary>
    public IReadOnlyList<double> ReconstructionErrors { get; init; } = [];
    /// <summary>InfoNCE loss per window.</summary>
    public IReadOnlyList<double> ContrastiveLosses { get; init; } = [];
}
