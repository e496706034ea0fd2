using KEEP.MLNet.Training.Distributed;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>
/// A <c>--data</c> that names one impression file or a folder of shard files (<c>.parquet</c> or <c>.csv</c>, in name
/// order). Under <c>mpiexec</c> shard i is rank (i mod N)'s, so the ranks work through a folder side by side.
/// </summary>
internal static class ShardFiles
{
    /// <summary>Whether <paramref name="data"/> is a folder of shards.</summary>
    public static bool IsFolder(FileSystemInfo data) => Directory.Exists(data.FullName);

    /// <summary>Every shard of <paramref name="data"/>: the file itself, or the folder's impression files in name order.</summary>
    public static IReadOnlyList<string> All(FileSystemInfo data, string flag)
    {
        if (!IsFolder(data)) return File.Exists(data.FullName) ? [data.FullName] : throw new FileNotFoundException($"{flag}: {data.FullName} not found.", data.FullName);
        var files = Directory.GetFiles(data.FullName).Where(f => f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"{flag}: the folder {data.FullName} holds no .parquet or .csv shard.", data.FullName);
    }

    /// <summary>The shards this rank works on: all of them in a single process.</summary>
    public static IReadOnlyList<string> Mine(IReadOnlyList<string> shards, ICommunicator? ranks)
        => ranks == null ? shards : [.. shards.Where((_, i) => i % ranks.Size == ranks.Rank)];
}
