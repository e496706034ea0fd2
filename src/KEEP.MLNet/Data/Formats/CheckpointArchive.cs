using System.IO.Compression;
using System.Text.Json;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// The zip layout KEEP's checkpoints share (a JSON header, vocabularies, TorchSharp weights): reading a
/// part, writing one, and turning a damaged archive into a <see cref="DataFormatException"/> naming the file.
/// </summary>
internal static class CheckpointArchive
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Opens the archive and reads it; <paramref name="kind"/> names what it should have been in errors.</summary>
    public static T Open<T>(string name, Func<Stream> open, Func<ZipArchive, T> read, string kind)
    {
        try
        {
            using var zip = new ZipArchive(open(), ZipArchiveMode.Read, leaveOpen: false);
            return read(zip);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{name}: {kind} not found.", name, e);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or ArgumentException)
        {
            throw new DataFormatException(name, null, null, $"not a usable {kind} ({e.Message})", e);
        }
    }

    /// <summary>Reads one part (buffered, so TorchSharp can seek in it); a missing part is <see cref="InvalidDataException"/>.</summary>
    public static T Read<T>(ZipArchive zip, string name, Func<Stream, T> read)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"missing part '{name}'");
        using var stream = entry.Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        return read(buffer);
    }

    /// <summary>Reads a JSON part; when it is missing, the error says what the archive holds instead.</summary>
    public static T ReadJson<T>(ZipArchive zip, string name)
    {
        if (zip.GetEntry(name) == null) throw new InvalidDataException($"missing part '{name}'; the file is {Describe(zip)}");
        return Read(zip, name, s => JsonSerializer.Deserialize<T>(s, Json)) ?? throw new InvalidDataException($"empty part '{name}'");
    }

    /// <summary>What a zip holds, judged by its entries — for errors that name what a file is when it is not what was asked for.</summary>
    public static string Describe(ZipArchive zip)
    {
        bool Has(string entry) => zip.GetEntry(entry) != null;
        if (Has("keep.json")) return "a KEEP knowledge checkpoint (from 'keep pretrain')";
        if (Has("rok.json")) return "a ROK knowledge base (from 'keep rok'; plug it in with --rok or RokKnowledge)";
        if (Has("keep-dnn.json")) return "a KEEP DNN checkpoint";
        if (Has("resume.json")) return "a resume checkpoint (use it with --resume)";
        if (Has(ModelZip.KnowledgeCheckpointEntry)) return "a KEEP knowledge model (from 'keep pretrain')";
        if (Has(ModelZip.DnnCheckpointEntry)) return "a KEEP DNN model (from 'keep train')";
        if (zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) || e.FullName.StartsWith("TrainingInfo/", StringComparison.Ordinal)))
            return "a plain ML.NET model";
        return "no KEEP.MLNet file (a zip of unknown content)";
    }

    /// <summary>Writes one part.</summary>
    public static void Write(ZipArchive zip, string name, Action<Stream> write)
    {
        using var stream = zip.CreateEntry(name).Open();
        write(stream);
    }

    /// <summary>Writes a JSON part.</summary>
    public static void WriteJson<T>(ZipArchive zip, string name, T value) => Write(zip, name, s => JsonSerializer.Serialize(s, value, Json));
}
