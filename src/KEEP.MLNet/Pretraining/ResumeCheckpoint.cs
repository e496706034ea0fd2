using System.IO.Compression;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// What a killed pre-training run needs to continue exactly: the model so far (weights, vocabularies,
/// history), Adam's moments and step counts, and the position in the day-ordered, shuffled stream of
/// blocks. Written atomically (temporary file, then rename) at loss-window boundaries, so a kill at any
/// moment leaves either the previous checkpoint or the new one, never a torn file.
/// </summary>
public static class ResumeCheckpoint
{
    private const int FormatVersion = 1;

    /// <summary>Where training stood when the checkpoint was written.</summary>
    /// <param name="ShuffleBase">History steps when this training call started (seeds the shuffle).</param>
    /// <param name="Steps">Blocks trained in this call.</param>
    /// <param name="Rows">Rows trained in this call.</param>
    /// <param name="Truncated">Behaviours truncated in this call.</param>
    /// <param name="StartHistory">The model's history when this call started.</param>
    internal sealed record Position(long ShuffleBase, long Steps, long Rows, long Truncated, TrainingHistory StartHistory);

    internal static void Write(string path, PretrainedModel model, TorchSharp.Modules.Adam optimizer, Position position)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, "resume.json", new Header(FormatVersion, position));
            CheckpointArchive.Write(zip, "model.keep", model.Save);
            CheckpointArchive.Write(zip, "optimizer.bin", s =>
            {
                using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                optimizer.save_state_dict(writer);
            });
        }
        file.Commit();
    }

    internal static (PretrainedModel Model, Position Position, byte[] Optimizer) Read(string path)
        => CheckpointArchive.Open(path, () => File.OpenRead(path), zip =>
        {
            var header = CheckpointArchive.ReadJson<Header>(zip, "resume.json");
            if (header.Version != FormatVersion) throw new InvalidDataException($"resume checkpoint format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
            var optimizer = CheckpointArchive.Read(zip, "optimizer.bin", s => ((MemoryStream)s).ToArray());
            var model = CheckpointArchive.Read(zip, "model.keep", s => PretrainedModel.Load(s, $"{path}:model.keep"));
            return (model, header.Position, optimizer);
        }, "resume checkpoint");

    private sealed record Header(int Version, Position Position);
}
