using System.IO.Compression;
using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// What a killed KEEP DNN training run needs to continue exactly: the DNN checkpoint so far (with its
/// knowledge model), Adam's state and the position (epoch, steps into it). Written atomically at loss-window
/// boundaries.
/// </summary>
internal static class DownstreamResumeCheckpoint
{
    private const int FormatVersion = 1;

    /// <param name="Epoch">The epoch being trained.</param>
    /// <param name="Steps">Blocks of that epoch already trained.</param>
    /// <param name="Rows">Rows trained over all epochs.</param>
    internal sealed record Position(int Epoch, long Steps, long Rows);

    public static void Write(string path, KeepDnn model, TorchSharp.Modules.Adam optimizer, Position position)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, "resume.json", new Header(FormatVersion, position));
            CheckpointArchive.Write(zip, "keep-dnn.keep", s => KeepDnnCheckpoint.Save(model, s));
            CheckpointArchive.Write(zip, "optimizer.bin", s =>
            {
                using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                optimizer.save_state_dict(writer);
            });
        }
        file.Commit();
    }

    public static (KeepDnn Model, Position Position, byte[] Optimizer) Read(string path)
        => CheckpointArchive.Open(path, () => File.OpenRead(path), zip =>
        {
            var header = CheckpointArchive.ReadJson<Header>(zip, "resume.json");
            if (header.Version != FormatVersion) throw new InvalidDataException($"resume checkpoint format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
            var optimizer = CheckpointArchive.Read(zip, "optimizer.bin", s => ((MemoryStream)s).ToArray());
            var model = CheckpointArchive.Read(zip, "keep-dnn.keep", s => KeepDnnCheckpoint.Load(s, $"{path}:keep-dnn.keep"));
            return (model, header.Position, optimizer);
        }, "KEEP DNN resume checkpoint");

    private sealed record Header(int Version, Position Position);
}
