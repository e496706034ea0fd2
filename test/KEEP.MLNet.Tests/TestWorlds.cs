using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests;

/// <summary>Worlds shared by tests; generated once per test run (they are deterministic).</summary>
internal static class TestWorlds
{
    private static readonly Lazy<GeneratedDataset> TinyDataset = new(() =>
        DatasetGenerator.Generate(WorldOptions.Preset("shared-click-tiny"), TempFolder("tiny-world"), DatasetFormat.Parquet | DatasetFormat.Csv));

    /// <summary>The tiny preset, written as Parquet and CSV.</summary>
    public static GeneratedDataset Tiny => TinyDataset.Value;

    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Created = [];

    /// <summary>A new empty folder under the system temp folder, deleted when the test run ends (<see cref="DeleteTempFolders"/>).</summary>
    public static string TempFolder(string name)
    {
        string folder = Directory.CreateTempSubdirectory($"keep-{name}-").FullName;
        Created.Add(folder);
        return folder;
    }

    /// <summary>Deletes every folder <see cref="TempFolder"/> made (worlds, models, stores: gigabytes over a run); returns how many.</summary>
    public static int DeleteTempFolders()
    {
        int deleted = 0;
        while (Created.TryTake(out var folder))
        {
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return deleted;
    }
}
