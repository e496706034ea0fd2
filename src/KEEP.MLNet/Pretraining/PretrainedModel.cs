using System.IO.Compression;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using static TorchSharp.torch;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// A trained knowledge-extraction model: network, vocabularies, options and training history. It extracts
/// knowledge (K_u, K_i, K_ui) for blocks of rows, predicts task probabilities, and saves to / loads from a
/// single checkpoint file that training can continue from (the paper's daily incremental updates).
/// </summary>
public sealed class PretrainedModel : IDisposable
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal PretrainedModel(PretrainingOptions options, FeatureVocabularies vocabularies, KeepPretrainingModel network, TrainingHistory history)
    {
        Options = options;
        Vocabularies = vocabularies;
        Network = network;
        History = history;
    }

    /// <summary>The settings the model was built and trained with.</summary>
    public PretrainingOptions Options { get; }
    /// <summary>The id vocabularies.</summary>
    public FeatureVocabularies Vocabularies { get; }
    /// <summary>The network.</summary>
    public KeepPretrainingModel Network { get; }
    /// <summary>What the model has been trained on, and its loss curve.</summary>
    public TrainingHistory History { get; }

    /// <summary>Width of K_u.</summary>
    public int UserKnowledgeDim => Options.UserEmbeddingDim;
    /// <summary>Width of K_i.</summary>
    public int ItemKnowledgeDim => 3 * Options.ItemEmbeddingDim;
    /// <summary>Width of K_ui (all tasks).</summary>
    public int InteractionKnowledgeDim => Options.InteractionDim;

    /// <summary>Knowledge of rows <paramref name="start"/>.. of a batch, row-major float arrays.</summary>
    public KnowledgeBlock Extract(ImpressionBatch batch, int start = 0, int count = -1)
    {
        if (count < 0) count = batch.Count - start;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Network.eval();
        var output = Network.forward(ModelInput.From(batch, start, count, Vocabularies, Options.HistoryLength).ToTensors());
        return new KnowledgeBlock(count, output.User.data<float>().ToArray(), output.Item.data<float>().ToArray(), output.Interaction.contiguous().data<float>().ToArray());
    }

    /// <summary>Probability of <paramref name="task"/> for each row of a batch.</summary>
    public float[] Predict(ImpressionBatch batch, PretrainingTask task)
    {
        int index = Options.Tasks.ToList().IndexOf(task);
        if (index < 0) throw new ArgumentException($"The model was not trained on {task}; its tasks are {string.Join(", ", Options.Tasks)}.", nameof(task));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Network.eval();
        var output = Network.forward(ModelInput.From(batch, 0, batch.Count, Vocabularies, Options.HistoryLength).ToTensors());
        return output.Logits[index].sigmoid().data<float>().ToArray();
    }

    /// <summary>Saves the checkpoint to <paramref name="path"/> (written atomically).</summary>
    public void Save(string path)
    {
        using var file = new Data.Formats.AtomicFile(path);
        Save(file.Stream);
        file.Commit();
    }

    /// <summary>Writes the checkpoint (a zip of options, vocabularies and weights) to a stream.</summary>
    public void Save(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        using (var entry = new StreamWriter(zip.CreateEntry("keep.json").Open()))
            entry.Write(JsonSerializer.Serialize(new CheckpointHeader(FormatVersion, Options, History), Json));
        using (var writer = new BinaryWriter(zip.CreateEntry("vocabularies.bin").Open()))
            Vocabularies.Write(writer);
        using (var weights = zip.CreateEntry("weights.bin").Open())
            Network.save(weights);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save(string)"/>.</summary>
    public static PretrainedModel Load(string path) => Open(path, () => File.OpenRead(path), LoadFrom);

    /// <summary>Loads a checkpoint from a stream; <paramref name="name"/> names it in errors.</summary>
    public static PretrainedModel Load(Stream stream, string name) => Open(name, () => stream, LoadFrom);

    /// <summary>Reads only the options of a checkpoint (cheap: no weights are loaded).</summary>
    public static PretrainingOptions ReadOptions(string path) => Open(path, () => File.OpenRead(path), zip => ReadHeader(zip).Options);

    /// <summary>Reads only the options of a checkpoint in a stream.</summary>
    public static PretrainingOptions ReadOptions(Stream stream, string name) => Open(name, () => stream, zip => ReadHeader(zip).Options);

    private static T Open<T>(string name, Func<Stream> open, Func<ZipArchive, T> read) => CheckpointArchive.Open(name, open, read, "KEEP checkpoint");

    private static PretrainedModel LoadFrom(ZipArchive zip)
    {
        var header = ReadHeader(zip);
        var vocabularies = CheckpointArchive.Read(zip, "vocabularies.bin", s => FeatureVocabularies.Read(new BinaryReader(s)));
        var network = Layers.SeededInitialisation.Unseeded(() => new KeepPretrainingModel(vocabularies, header.Options));
        CheckpointArchive.Read(zip, "weights.bin", s => network.load(s));
        return new PretrainedModel(header.Options, vocabularies, network, header.History);
    }

    private static CheckpointHeader ReadHeader(ZipArchive zip)
    {
        var header = CheckpointArchive.ReadJson<CheckpointHeader>(zip, "keep.json");
        if (header.Version != FormatVersion)
            throw new InvalidDataException($"checkpoint format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
        header.Options.Validate();
        return header;
    }

    /// <summary>Releases the network's native memory.</summary>
    public void Dispose() => Network.Dispose();

    private sealed record CheckpointHeader(int Version, PretrainingOptions Options, TrainingHistory History);
}

/// <summary>Knowledge of a block of rows, row-major: K_u [Rows × 48], K_i [Rows × 48], K_ui [Rows × 64·tasks].</summary>
public sealed record KnowledgeBlock(int Rows, float[] User, float[] Item, float[] Interaction);

/// <summary>What a model has been trained on: rows, steps, the last day seen, and the loss curve.</summary>
public sealed record TrainingHistory
{
    /// <summary>Rows trained on, over every run.</summary>
    public long Rows { get; init; }
    /// <summary>Optimiser steps, over every run.</summary>
    public long Steps { get; init; }
    /// <summary>The last day trained on; incremental training continues with later days.</summary>
    public int LastDay { get; init; } = -1;
    /// <summary>Behaviours dropped because sequences exceeded the history length.</summary>
    public long TruncatedBehaviours { get; init; }
    /// <summary>Loss curve.</summary>
    public IReadOnlyList<LossPoint> Losses { get; init; } = [];
}
