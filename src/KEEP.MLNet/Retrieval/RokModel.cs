using System.IO.Compression;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// A trained ROK knowledge base: computes retrieval-oriented knowledge from a row's own ids — no retrieval
/// at inference. Saved as a checkpoint (options, history, vocabularies, weights).
/// </summary>
public sealed class RokModel : IDisposable
{
    private const int FormatVersion = 1;

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
        CheckpointArchive.WriteJson(zip, "rok.json", new Header(FormatVersion, Options, History));
        CheckpointArchive.Write(zip, "vocabularies.bin", s => Vocabularies.Write(new BinaryWriter(s)));
        CheckpointArchive.Write(zip, "weights.bin", s => Network.save(s));
    }

    /// <summary>Loads a checkpoint written by <see cref="Save(string)"/>.</summary>
    public static RokModel Load(string path) => CheckpointArchive.Open(path, () => File.OpenRead(path), LoadFrom, "ROK checkpoint");

    /// <summary>Loads a checkpoint from a stream; <paramref name="name"/> names it in errors.</summary>
    public static RokModel Load(Stream stream, string name) => CheckpointArchive.Open(name, () => stream, LoadFrom, "ROK checkpoint");

    private static RokModel LoadFrom(ZipArchive zip)
    {
        var header = CheckpointArchive.ReadJson<Header>(zip, "rok.json");
        if (header.Version != FormatVersion) throw new InvalidDataException($"ROK checkpoint format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
        header.Options.Validate();
        var vocabularies = CheckpointArchive.Read(zip, "vocabularies.bin", s => FeatureVocabularies.Read(new BinaryReader(s)));
        var network = Layers.SeededInitialisation.Unseeded(() => new RokKnowledgeBase(vocabularies, header.Options));
        try
        {
            CheckpointArchive.Read(zip, "weights.bin", s => network.load(s));
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return new RokModel(header.Options, vocabularies, network, header.History);
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => Network.Dispose();

    private sealed record Header(int Version, RokOptions Options, RokHistory History);
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
