using System.IO.Compression;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Training;

/// <summary>
/// The file a resumable training run writes: the model so far in the <see cref="ModelArchive"/> layout (so the
/// checkpoint also loads as a model), its position (<c>resume.json</c>) and the optimizer's state
/// (<c>optimizer.bin</c>), written atomically so a kill leaves the previous file or the new one.
/// Format 3 keeps the model's parts in the checkpoint itself; formats 1 and 2 (still read) nested the model's
/// own file in one entry, and format 1 (dense Adam only) did not record the optimizer. Format 4's row-wise Adam
/// state leaves the embedding tables out of the dense Adam's state (up to format 3 it carried two unused,
/// table-sized zero moments per table, which cannot be told apart from a network's dense parameters on reading).
/// </summary>
internal static class ResumeArchive
{
    private const int FormatVersion = 4;

    /// <summary>The first format whose row-wise Adam state has no dense moments of the embedding tables.</summary>
    public const int FirstRowwiseWithoutTableMoments = 4;

    /// <summary>The entry that makes a zip a resume checkpoint.</summary>
    public const string HeaderEntry = "resume.json";
    private const string OptimizerEntry = "optimizer.bin";

    /// <summary>Writes the checkpoint: <paramref name="writeModel"/> adds the model's parts to the zip.</summary>
    public static void Write<TPosition>(string path, TPosition position, Action<ZipArchive> writeModel, ITrainingOptimizer optimizer)
        => Write(path, position, writeModel, optimizer.Kind, optimizer.Save);

    /// <summary>Writes the checkpoint with an optimizer state of kind <paramref name="kind"/> that <paramref name="writeOptimizer"/> writes.</summary>
    public static void Write<TPosition>(string path, TPosition position, Action<ZipArchive> writeModel, EmbeddingUpdates kind, Action<Stream> writeOptimizer)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, HeaderEntry, new Header<TPosition>(FormatVersion, position, kind));
            writeModel(zip);
            CheckpointArchive.Write(zip, OptimizerEntry, writeOptimizer);
        }
        file.Commit();
    }

    /// <summary>
    /// Reads a checkpoint: <paramref name="readModel"/> reads the model from the checkpoint's own parts
    /// (format 3), <paramref name="readNestedModel"/> from the entry <paramref name="nestedEntry"/> that
    /// formats 1 and 2 wrote.
    /// </summary>
    public static ResumeState<TModel, TPosition> Read<TModel, TPosition>(string path, Func<ZipArchive, TModel> readModel,
        string nestedEntry, Func<Stream, string, TModel> readNestedModel, string kind)
        => CheckpointArchive.Open(path, () => File.OpenRead(path), zip =>
        {
            if (zip.GetEntry(HeaderEntry) == null) throw new InvalidDataException($"missing part '{HeaderEntry}'; the file is {ModelArchive.Describe(zip)}");
            var header = CheckpointArchive.ReadJson<Header<TPosition>>(zip, HeaderEntry);
            if (header.Version is < 1 or > FormatVersion) throw new InvalidDataException($"{kind} format {header.Version}; this KEEP.MLNet reads formats 1 to {FormatVersion}");
            var optimizer = CheckpointArchive.Read(zip, OptimizerEntry, s => ((MemoryStream)s).ToArray());
            var model = header.Version >= 3 ? readModel(zip) : CheckpointArchive.Read(zip, nestedEntry, s => readNestedModel(s, $"{path}:{nestedEntry}"));
            // Format 1 had no optimizer field: it was always TorchSharp's dense Adam.
            return new ResumeState<TModel, TPosition>(model, header.Position, header.Version == 1 ? EmbeddingUpdates.DenseAdam : header.Optimizer, optimizer) { FormatVersion = header.Version };
        }, kind);

    private sealed record Header<TPosition>(int Version, TPosition Position, EmbeddingUpdates Optimizer);
}

/// <summary>A resume checkpoint read back: the model so far, where the run stood, and the optimizer's kind and state.</summary>
internal sealed record ResumeState<TModel, TPosition>(TModel Model, TPosition Position, EmbeddingUpdates Optimizer, byte[] OptimizerState)
{
    /// <summary>The checkpoint's format.</summary>
    public int FormatVersion { get; init; } = ResumeArchive.FirstRowwiseWithoutTableMoments;

    /// <summary>The optimizer of the resumed run, in the state the checkpoint saved (sharded over the ranks of <paramref name="communicator"/>, if any).</summary>
    public ITrainingOptimizer RestoreOptimizer(TorchSharp.torch.nn.Module network, double learningRate, Distributed.ICommunicator? communicator = null)
    {
        if (Optimizer == EmbeddingUpdates.RowwiseAdam && FormatVersion < ResumeArchive.FirstRowwiseWithoutTableMoments)
            throw new InvalidDataException($"this resume checkpoint (format {FormatVersion}) holds row-wise Adam state in an earlier layout that this KEEP.MLNet cannot restore; start the run again without resuming");
        var optimizer = TrainingOptimizer.Adam(network, learningRate, Optimizer, communicator);
        try
        {
            optimizer.Load(new MemoryStream(OptimizerState));
            return optimizer;
        }
        catch
        {
            optimizer.Dispose();
            throw;
        }
    }
}
