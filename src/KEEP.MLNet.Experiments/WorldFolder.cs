using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments;

/// <summary>A simulated world's files and pre-trained models in an experiment's folder: made once, reused when the folder already holds them.</summary>
internal static class WorldFolder
{
    /// <summary>
    /// The files of <paramref name="world"/> in <paramref name="dir"/>, generating them (and <c>world.json</c>) when any is
    /// missing. A folder that holds a world generated with other options is refused, naming them: its files and the
    /// checkpoints trained on them belong to that world.
    /// </summary>
    public static IReadOnlyDictionary<DatasetSplit, string> Files(WorldOptions world, string dir, Action<string> report, CancellationToken cancellation = default)
    {
        var files = Enum.GetValues<DatasetSplit>().ToDictionary(s => s, s => Path.Combine(dir, DatasetGenerator.FileStem(s) + ".parquet"));
        string worldJson = Path.Combine(dir, "world.json");
        if (File.Exists(worldJson) && Differences(WorldOptions.Read(worldJson), world) is { Count: > 0 } differences)
            throw new ArgumentException($"{dir} holds a world generated with other options ({string.Join(", ", differences)}); "
                + "give the experiment another output folder, or delete that world's folder to generate it again (its checkpoints were trained on the old files).");
        if (files.Values.All(File.Exists) && File.Exists(worldJson)) return files;
        report($"seed {world.Seed}: generating the world in {dir}");
        return DatasetGenerator.Generate(world, dir, cancellation: cancellation).Files;
    }

    /// <summary>The options whose values differ between two worlds, as "Name: old → new".</summary>
    private static List<string> Differences(WorldOptions saved, WorldOptions wanted)
    {
        using var a = JsonDocument.Parse(saved.ToJson());
        using var b = JsonDocument.Parse(wanted.ToJson());
        return [.. a.RootElement.EnumerateObject()
            .Select(p => (p.Name, Saved: p.Value.GetRawText(), Wanted: b.RootElement.TryGetProperty(p.Name, out var w) ? w.GetRawText() : "(none)"))
            .Where(p => p.Saved != p.Wanted)
            .Select(p => $"{p.Name}: {Short(p.Saved)} → {Short(p.Wanted)}")];
    }

    private static string Short(string json) => json.Length <= 40 ? json : "(another list)";

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
