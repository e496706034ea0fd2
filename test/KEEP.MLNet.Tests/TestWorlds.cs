using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Tests;

/// <summary>Worlds shared by tests; generated once per test run (they are deterministic).</summary>
internal static class TestWorlds
{
    private static readonly Lazy<GeneratedDataset> TinyDataset = new(() =>
        DatasetGenerator.Generate(WorldOptions.Preset("shared-click-tiny"), TempFolder("tiny-world"), DatasetFormat.Parquet | DatasetFormat.Csv));

    /// <summary>The tiny preset, written as Parquet and CSV.</summary>
    public static GeneratedDataset Tiny => TinyDataset.Value;

    /// <summary>A new empty folder under the system temp folder.</summary>
    public static string TempFolder(string name) => Directory.CreateTempSubdirectory($"keep-{name}-").FullName;
}
