using System.IO.Compression;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// The file a resumable training run writes: its position (JSON), the model so far (the model's own
/// checkpoint format) and Adam's state, written atomically so a kill leaves the previous file or the new one.
/// </summary>
internal static class ResumeArchive
{
    private const int FormatVersion = 1;

    public static void Write<TPosition>(string path, TPosition position, string modelEntry, Action<Stream> writeModel, TorchSharp.Modules.Adam optimizer)
    {
        using var file = new AtomicFile(path);
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            CheckpointArchive.WriteJson(zip, "resume.json", new Header<TPosition>(FormatVersion, position));
            CheckpointArchive.Write(zip, modelEntry, writeModel);
            CheckpointArchive.Write(zip, "optimizer.bin", s =>
            {
                using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                optimizer.save_state_dict(writer);
            });
        }
        file.Commit();
    }

    public static (TModel Model, TPosition Position, byte[] Optimizer) Read<TModel, TPosition>(string path, string modelEntry, Func<Stream, string, TModel> readModel, string kind)
        => CheckpointArchive.Open(path, () => File.OpenRead(path), zip =>
        {
            var header = CheckpointArchive.ReadJson<Header<TPosition>>(zip, "resume.json");
            if (header.Version != FormatVersion) throw new InvalidDataException($"{kind} format {header.Version}; this KEEP.MLNet reads format {FormatVersion}");
            var optimizer = CheckpointArchive.Read(zip, "optimizer.bin", s => ((MemoryStream)s).ToArray());
            var model = CheckpointArchive.Read(zip, modelEntry, s => readModel(s, $"{path}:{modelEntry}"));
            return (model, header.Position, optimizer);
        }, kind);

    private sealed record Header<TPosition>(int Version, TPosition Position);
}
