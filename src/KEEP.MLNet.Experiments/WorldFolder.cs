using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments;

/// <summary>A simulated world's files and pre-trained models in an experiment's folder: made once, reused when the folder already holds them.</summary>
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

    /// <summary>The path of the pre-trained model <paramref name="name"/> in a world's folder.</summary>
    public static string PretrainedPath(string dir, string name) => Path.Combine(dir, $"knowledge-{name}.keep");

    /// <summary>The pre-trained model <paramref name="name"/> of <paramref name="dir"/>: loaded when saved there, otherwise pre-trained on <paramref name="data"/> and saved.</summary>
    public static PretrainedModel Pretrained(string dir, string name, PretrainingOptions options, Func<IEnumerable<ImpressionBatch>> data,
        Action<string> report, CancellationToken cancellation = default)
    {
        string path = PretrainedPath(dir, name);
        if (File.Exists(path)) return PretrainedModel.Load(path);
        report($"seed {options.Seed}: pre-training {name} on {string.Join(" + ", options.Tasks)} (super-domain)");
        var clock = Stopwatch.StartNew();
        var model = new KeepPretrainer(options).Fit(data, cancellation: cancellation);
        model.Save(path);
        report($"seed {options.Seed}: pre-trained {name} in {clock.Elapsed.TotalSeconds:F0} s");
        return model;
    }
}
