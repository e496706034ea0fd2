using System.IO.Compression;
using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// The file <c>keep pretrain</c> writes: an ordinary ML.NET model zip (the portable ONNX knowledge
/// transformer, for <c>mlContext.Model.Load</c> and <c>PredictionEngine</c> anywhere) that also carries the
/// KEEP checkpoint as one more entry, so the same file serves the fast batched path and continued training.
/// ML.NET ignores entries it does not know.
/// </summary>
public static class KnowledgeModelFile
{
    /// <summary>The zip entry holding the checkpoint.</summary>
    public const string CheckpointEntry = "KEEP/checkpoint.keep";

    /// <summary>Saves <paramref name="transformer"/> for inputs of <paramref name="inputSchema"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(MLContext mlContext, KnowledgeExtractionTransformer transformer, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(transformer);
        using var file = new Data.Formats.AtomicFile(path);
        mlContext.Model.Save(transformer, inputSchema, file.Stream);
        file.Stream.Position = 0;
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Update, leaveOpen: true))
        using (var entry = zip.CreateEntry(CheckpointEntry, CompressionLevel.Fastest).Open())
            transformer.Model.Save(entry);
        file.Commit();
    }

    /// <summary>True when <paramref name="path"/> carries a KEEP checkpoint.</summary>
    public static bool HasCheckpoint(string path)
    {
        using var zip = OpenZip(path);
        return zip.GetEntry(CheckpointEntry) != null;
    }

    /// <summary>Loads the checkpoint carried by a knowledge model file (or a bare checkpoint file).</summary>
    public static PretrainedModel LoadCheckpoint(string path)
        => WithCheckpoint(path, PretrainedModel.Load, PretrainedModel.Load);

    /// <summary>Reads only the options of the checkpoint in a knowledge model file (or a bare checkpoint file).</summary>
    public static PretrainingOptions ReadOptions(string path)
        => WithCheckpoint(path, PretrainedModel.ReadOptions, PretrainedModel.ReadOptions);

    private static T WithCheckpoint<T>(string path, Func<string, T> bare, Func<Stream, string, T> embedded)
    {
        using var zip = OpenZip(path);
        var entry = zip.GetEntry(CheckpointEntry);
        if (entry == null)
        {
            if (zip.GetEntry("keep.json") != null) return bare(path);
            throw new DataFormatException(path, null, null, $"has no KEEP checkpoint (entry '{CheckpointEntry}'); it is a plain ML.NET model");
        }
        using var stream = entry.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        return embedded(buffer, $"{path}:{CheckpointEntry}");
    }

    private static ZipArchive OpenZip(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model not found.", path);
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, null, $"not a zip file ({e.Message})", e);
        }
    }
}
