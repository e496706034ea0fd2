using System.IO.Compression;
using Microsoft.ML;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// An ordinary ML.NET model zip that also carries a KEEP checkpoint as one more entry (ML.NET ignores
/// entries it does not know): one file for <c>mlContext.Model.Load</c> anywhere and for KEEP's batched
/// path, continued training and warm starts.
/// </summary>
internal static class ModelZip
{
    /// <summary>Where a knowledge model's zip carries its KEEP checkpoint (<c>KnowledgeModelFile</c>).</summary>
    public const string KnowledgeCheckpointEntry = "KEEP/checkpoint.keep";

    /// <summary>Where a KEEP DNN's zip carries its checkpoint (<c>KeepDnnModelFile</c>).</summary>
    public const string DnnCheckpointEntry = "KEEP/keep-dnn.keep";

    /// <summary>Saves <paramref name="transformer"/> for <paramref name="inputSchema"/> plus the entry, atomically.</summary>
    /// <remarks>With a null <paramref name="writeEntry"/> the zip is ML.NET's alone.</remarks>
    public static void Save(MLContext mlContext, ITransformer transformer, DataViewSchema inputSchema, string path, string entryName, Action<Stream>? writeEntry)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(transformer);
        using var file = new AtomicFile(path);
        mlContext.Model.Save(transformer, inputSchema, file.Stream);
        if (writeEntry == null)
        {
            file.Commit();
            return;
        }
        file.Stream.Position = 0;
        using (var zip = new ZipArchive(file.Stream, ZipArchiveMode.Update, leaveOpen: true))
        using (var entry = zip.CreateEntry(entryName, CompressionLevel.Fastest).Open())
            writeEntry(entry);
        file.Commit();
    }

    /// <summary>True when the zip at <paramref name="path"/> has the entry.</summary>
    public static bool HasEntry(string path, string entryName)
    {
        using var zip = Open(path);
        return zip.GetEntry(entryName) != null;
    }

    /// <summary>Reads the entry (null when the zip has none) through <paramref name="read"/>, which gets a seekable copy and a name for errors.</summary>
    public static T? ReadEntry<T>(string path, string entryName, Func<Stream, string, T> read) where T : class
    {
        using var zip = Open(path);
        var entry = zip.GetEntry(entryName);
        if (entry == null) return null;
        using var stream = entry.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        return read(buffer, $"{path}:{entryName}");
    }

    /// <summary>Opens a zip for reading; a missing file or a non-zip is named.</summary>
    public static ZipArchive Open(string path)
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
