using System.IO.Compression;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// A trained knowledge-extraction model: network, vocabularies, options and training history. It extracts
/// knowledge (K_u, K_i, K_ui) for blocks of rows, predicts task probabilities, and saves to / loads from a
/// single checkpoint file that training can continue from (the paper's daily incremental updates).
/// </summary>
public sealed class PretrainedModel : IDisposable
{
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

    /// <summary>The optimizer's state as the last training run ended (null when not kept): the next run (<see cref="KeepPretrainer.Continue(PretrainedModel, IEnumerable{ImpressionBatch}, long, IProgress{PretrainingProgress}?, CancellationToken)"/>) continues it.</summary>
    internal AdamSlots? OptimizerState { get; init; }

    /// <summary>Width of K_u.</summary>
    public int UserKnowledgeDim => Options.UserEmbeddingDim;
    /// <summary>Width of K_i.</summary>
    public int ItemKnowledgeDim => 3 * Options.ItemEmbeddingDim;
    /// <summary>Width of K_ui (all tasks).</summary>
    public int InteractionKnowledgeDim => Options.InteractionDim;

    /// <summary>Knowledge of rows <paramref name="start"/>.. of a batch, row-major float arrays.</summary>
    public KnowledgeBlock Extract(ImpressionBatch batch, int start = 0, int count = -1)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (count < 0) count = batch.Count - start;
        var parts = InferencePasses.Over(count).Select(pass => ExtractPass(batch, start + pass.Start, pass.Count)).ToList();
        if (parts.Count == 1) return parts[0];
        return new KnowledgeBlock(count, InferencePasses.Join([.. parts.Select(p => p.User)]), InferencePasses.Join([.. parts.Select(p => p.Item)]),
            InferencePasses.Join([.. parts.Select(p => p.Interaction)]));
    }

    private KnowledgeBlock ExtractPass(ImpressionBatch batch, int start, int count)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Network.eval();
        var output = Network.forward(ModelInput.From(batch, start, count, Vocabularies, Options.HistoryLength).ToTensors());
        return new KnowledgeBlock(count, output.User.data<float>().ToArray(), output.Item.data<float>().ToArray(), output.Interaction.contiguous().data<float>().ToArray());
    }

    /// <summary>Probability of <paramref name="task"/> for each row of a batch.</summary>
    public float[] Predict(ImpressionBatch batch, PretrainingTask task)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int index = Options.Tasks.ToList().IndexOf(task);
        if (index < 0) throw new ArgumentException($"The model was not trained on {task}; its tasks are {string.Join(", ", Options.Tasks)}.", nameof(task));
        return InferencePasses.Join([.. InferencePasses.Over(batch.Count).Select(pass =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Network.eval();
            var output = Network.forward(ModelInput.From(batch, pass.Start, pass.Count, Vocabularies, Options.HistoryLength).ToTensors());
            return output.Logits[index].sigmoid().data<float>().ToArray();
        })]);
    }

    /// <summary>Saves the checkpoint to <paramref name="path"/> (written atomically).</summary>
    public void Save(string path)
    {
        using var file = new Data.Formats.AtomicFile(path);
        Save(file.Stream);
        file.Commit();
    }

    /// <summary>
    /// Writes the checkpoint (the <c>ModelArchive</c> layout: header, vocabularies, weights, and the optimizer's state when
    /// the training run kept it, for the next day's continuation) to a stream.
    /// </summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        WriteTo(zip);
        AdamSlots.WriteTo(zip, OptimizerState);
    }

    /// <summary>Adds the model's parts to an archive being written.</summary>
    internal void WriteTo(ZipArchive zip) => ModelArchive.Write(zip, ModelKind.Pretrained, Options, History, Vocabularies.Write, Network);

    /// <summary>
    /// Loads a checkpoint written by <see cref="Save(string)"/> (or by an earlier version of the library), or the one inside
    /// a knowledge model file from <c>keep pretrain</c> (an ML.NET zip carrying the checkpoint): every file <c>keep pretrain</c> writes.
    /// </summary>
    public static PretrainedModel Load(string path)
        => Data.Formats.ModelZip.ReadEntry(path, Data.Formats.ModelZip.KnowledgeCheckpointEntry, Load) ?? Open(path, () => File.OpenRead(path), ReadFrom);

    /// <summary>Loads a checkpoint from a stream; <paramref name="name"/> names it in errors.</summary>
    public static PretrainedModel Load(Stream stream, string name) => Open(name, () => stream, ReadFrom);

    /// <summary>Reads only the options of a checkpoint (cheap: no weights are loaded).</summary>
    public static PretrainingOptions ReadOptions(string path)
        => Data.Formats.ModelZip.ReadEntry(path, Data.Formats.ModelZip.KnowledgeCheckpointEntry, ReadOptions) ?? Open(path, () => File.OpenRead(path), zip => ReadHeader(zip).Options);

    /// <summary>Reads only the options of a checkpoint in a stream.</summary>
    public static PretrainingOptions ReadOptions(Stream stream, string name) => Open(name, () => stream, zip => ReadHeader(zip).Options);

    private static T Open<T>(string name, Func<Stream> open, Func<ZipArchive, T> read) => CheckpointArchive.Open(name, open, read, "KEEP checkpoint");

    /// <summary>Reads the model from an open archive (its own file, or the parts of a resume checkpoint).</summary>
    internal static PretrainedModel ReadFrom(ZipArchive zip)
    {
        var (options, history) = ReadHeader(zip);
        var vocabularies = ModelArchive.ReadVocabularies(zip, FeatureVocabularies.Read);
        var network = ModelArchive.LoadWeights(zip, Layers.SeededInitialisation.Unseeded(() => new KeepPretrainingModel(vocabularies, options)));
        return new PretrainedModel(options, vocabularies, network, history) { OptimizerState = AdamSlots.ReadFrom(zip) };
    }

    private static (PretrainingOptions Options, TrainingHistory History) ReadHeader(ZipArchive zip)
    {
        var (options, history) = ModelArchive.IsArchive(zip) ? ModelArchive.ReadHeader<PretrainingOptions, TrainingHistory>(zip, ModelKind.Pretrained) : ReadLegacyHeader(zip);
        options.Validate();
        return (options, history ?? new TrainingHistory());
    }

    /// <summary>Before the one model archive (format 1 of <c>keep.json</c>): the same options and history under another entry.</summary>
    private static (PretrainingOptions, TrainingHistory) ReadLegacyHeader(ZipArchive zip)
    {
        var header = ModelArchive.ReadLegacyHeader<LegacyHeader>(zip, "keep.json");
        if (header.Version != 1) throw new InvalidDataException($"checkpoint format {header.Version}; this KEEP.MLNet reads format 1 of keep.json");
        return (header.Options, header.History);
    }

    /// <summary>
    /// The same network without an optimizer state (this model's is released; use the returned model from here on): its
    /// next training run starts a fresh Adam, as fine-tuning a pre-trained network on another task does, and as a
    /// continuation across MPI ranks does (the saved state is not sharded).
    /// </summary>
    public PretrainedModel WithFreshOptimizer()
    {
        OptimizerState?.Dispose();
        return new PretrainedModel(Options, Vocabularies, Network, History);
    }

    /// <summary>Releases the network's native memory.</summary>
    public void Dispose()
    {
        Network.Dispose();
        OptimizerState?.Dispose();
    }

    private sealed record LegacyHeader(int Version, PretrainingOptions Options, TrainingHistory History);
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
