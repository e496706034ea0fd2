using System.IO.Compression;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Training;

/// <summary>
/// The file a resumable training run writes: the model so far in the <see cref="ModelArchive"/> layout (so the
/// checkpoint also loads as a model), its position (<c>resume.json</c>) and the optimizer's state
/// (<c>optimizer.bin</c>), written atomically so a kill leaves the previous file or the new one.
/// Format 3 keeps the model's parts in the checkpoint itself; formats 1 and 2 (still read) nested the model's
/// own file in one entry, and format 1 (dense Adam only) did not record the optimizer.
/// </summary>
internal static class ResumeArchive
{
    private const int FormatVersion = 3;

    /// <summary>The entry that makes a zip a resume checkpoint.</summary>
    public const string HeaderEntry = "resume.json";
    private const string OptimizerEntry = "optimizer.bin";

    /// <summary>Writes the checkpoint: <paramref name="writeModel"/> adds the model's parts to the zip.</summary>
    public static void Write<TPosition>(string path, TPosition position, Action<ZipArchive> writeModel, ITrainingOptimizer optimizer)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, HeaderEntry, new Header<TPosition>(FormatVersion, position, optimizer.Kind));
            writeModel(zip);
            CheckpointArchive.Write(zip, OptimizerEntry, optimizer.Save);
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
            return new ResumeState<TModel, TPosition>(model, header.Position, header.Version == 1 ? EmbeddingUpdates.DenseAdam : header.Optimizer, optimizer);
        }, kind);

    private sealed record Header<TPosition>(int Version, TPosition Position, EmbeddingUpdates Optimizer);
}

/// <summary>A resume checkpoint read back: the model so far, where the run stood, and the optimizer's kind and state.</summary>
internal sealed record ResumeState<TModel, TPosition>(TModel Model, TPosition Position, EmbeddingUpdates Optimizer, byte[] OptimizerState)
{
    /// <summary>The optimizer of the resumed run, in the state the checkpoint saved.</summary>
    public ITrainingOptimizer RestoreOptimizer(TorchSharp.torch.nn.Module network, double learningRate)
    {
        var optimizer = TrainingOptimizer.Adam(network, learningRate, Optimizer);
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
