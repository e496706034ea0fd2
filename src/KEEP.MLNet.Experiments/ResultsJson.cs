using System.Text.Json;
using System.Text.Json.Serialization;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// How the experiments write and read their result files (<c>results.json</c> and the online experiment's): indented,
/// with NaN and the infinities as the strings "NaN", "Infinity" and "-Infinity". A GAUC, a bucket's GAUC or a paired
/// comparison over no user with both classes is NaN, and a run of hours must not fail when it saves one.
/// </summary>
public static class ResultsJson
{
    /// <summary>The serializer options of every results file.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The rows in <paramref name="path"/>, or none when there is no such file.</summary>
    public static List<T> ReadOrEmpty<T>(string path)
        => File.Exists(path) ? JsonSerializer.Deserialize<List<T>>(File.ReadAllText(path), Options) ?? [] : [];

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (a reader never sees half a file).</summary>
    public static void Write<T>(string path, IReadOnlyList<T> rows)
    {
        using var file = new KEEP.MLNet.Data.Formats.AtomicFile(path);
        JsonSerializer.Serialize(file.Stream, rows, Options);
        file.Commit();
    }
}
