using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Experiments;

/// <summary>A simulated world's files in an experiment's folder: generated once, reused when the folder already holds them.</summary>
internal static class WorldFolder
{
    /// <summary>The files of <paramref name="world"/> in <paramref name="dir"/>, generating them (and <c>world.json</c>) when any is missing.</summary>
    public static IReadOnlyDictionary<DatasetSplit, string> Files(WorldOptions world, string dir, Action<string> report, CancellationToken cancellation = default)
    {
        var files = Enum.GetValues<DatasetSplit>().ToDictionary(s => s, s => Path.Combine(dir, DatasetGenerator.FileStem(s) + ".parquet"));
        if (files.Values.All(File.Exists) && File.Exists(Path.Combine(dir, "world.json"))) return files;
        report($"seed {world.Seed}: generating the world in {dir}");
        return DatasetGenerator.Generate(world, dir, cancellation: cancellation).Files;
    }
}
