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

    /// <summary>Reads a JSON part; a missing part is <see cref="InvalidDataException"/>.</summary>
    public static T ReadJson<T>(ZipArchive zip, string name)
    {
        return Read(zip, name, s => JsonSerializer.Deserialize<T>(s, Json)) ?? throw new InvalidDataException($"empty part '{name}'");
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
