using System.IO.Compression;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Training;

/// <summary>
/// The file a resumable training run writes: its position (JSON), the model so far (the model's own
/// checkpoint format) and the optimizer's state, written atomically so a kill leaves the previous file or
/// the new one. Format 2 records which optimizer wrote the state; format 1 (dense Adam only) still reads.
/// </summary>
internal static class ResumeArchive
{
    private const int FormatVersion = 2;

    public static void Write<TPosition>(string path, TPosition position, string modelEntry, Action<Stream> writeModel, ITrainingOptimizer optimizer)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, "resume.json", new Header<TPosition>(FormatVersion, position, optimizer.Kind));
            CheckpointArchive.Write(zip, modelEntry, writeModel);
            CheckpointArchive.Write(zip, "optimizer.bin", optimizer.Save);
        }
        file.Commit();
    }

    public static ResumeState<TModel, TPosition> Read<TModel, TPosition>(string path, string modelEntry, Func<Stream, string, TModel> readModel, string kind)
        => CheckpointArchive.Open(path, () => File.OpenRead(path), zip =>
        {
            var header = CheckpointArchive.ReadJson<Header<TPosition>>(zip, "resume.json");
            if (header.Version is < 1 or > FormatVersion) throw new InvalidDataException($"{kind} format {header.Version}; this KEEP.MLNet reads formats 1 to {FormatVersion}");
            var optimizer = CheckpointArchive.Read(zip, "optimizer.bin", s => ((MemoryStream)s).ToArray());
            var model = CheckpointArchive.Read(zip, modelEntry, s => readModel(s, $"{path}:{modelEntry}"));
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
