using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Serving;
using KEEP.MLNet.Serving.Compression;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Knowledge compression and the knowledge stores on a generated world: compression time and fit,
/// publish time, GetMany latency for 1,000 keys (file store; Redis when <c>redis://host:port</c> is given),
/// bytes per cached entry, and cached knowledge assembly rows/s (the serving path without the network).
/// Usage: <c>serving [preset] [checkpoint.keep] [redis://host:port]</c>; without a checkpoint a model is pre-trained on the first 200k rows.
/// </summary>
internal static class ServingBenchmarks
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        string folder = Path.Combine(Path.GetTempPath(), $"keep-bench-serving-{preset}");
        var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset), Path.Combine(folder, "data"));
        string super = dataset.Files[DatasetSplit.Super];
        using var model = args.Length > 1 && File.Exists(args[1]) ? PretrainedModel.Load(args[1])
            : new KeepPretrainer().Fit(() => ImpressionFile.Read(super).Take(4));
        IEnumerable<ImpressionBatch> Served() => ImpressionFile.Read(dataset.Files[DatasetSplit.SubTrain]).Concat(ImpressionFile.Read(dataset.Files[DatasetSplit.SubTest]));

        var clock = Stopwatch.StartNew();
        var compressed = new KnowledgeCompressor().Fit(model, () => ImpressionFile.Read(super), Served, new Progress<string>(Console.WriteLine));
        Console.WriteLine($"compression: {clock.Elapsed.TotalSeconds:F1} s; R² decomposition {compressed.Fit.DecompositionHoldoutR2:F3} (train {compressed.Fit.DecompositionTrainR2:F3}), degeneration {compressed.Fit.DegenerationHoldoutR2:F3}");
        Console.WriteLine($"entries: users {compressed.Users.Count:N0} + items {compressed.Items.Count:N0} + user-categories {compressed.UserCategories.Count:N0} = {compressed.Entries:N0} (N_u × N_i = {(long)compressed.Users.Count * compressed.Items.Count:N0})");

        string storeFolder = Path.Combine(folder, "store");
        if (Directory.Exists(storeFolder)) Directory.Delete(storeFolder, recursive: true);
        using var file = new FileKnowledgeStore(storeFolder);
        Measure("file", file, compressed, Served().First());
        long bytes = Directory.EnumerateFiles(storeFolder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"file store: {bytes / 1e6:F1} MB on disk = {bytes / (double)compressed.Entries:F0} bytes per entry");
        if (args.Length > 2)
        {
            using var redis = RedisKnowledgeStore.FromUri(args[2]);
            Measure("redis", redis, compressed, Served().First());
        }
    }

    private static void Measure(string name, IKnowledgeStore store, CompressedKnowledge compressed, ImpressionBatch rows)
    {
        string version = $"bench-{DateTime.UtcNow:HHmmssfff}";
        var clock = Stopwatch.StartNew();
        store.Publish(version, compressed.ToTables());
        Console.WriteLine($"{name}: publish {compressed.Entries:N0} entries in {clock.Elapsed.TotalSeconds:F1} s");
        var random = new Random(1);
        var ids = Enumerable.Range(0, 1000).Select(_ => compressed.Users.Ids[random.Next(compressed.Users.Count)]).ToArray();
        var destination = new float[ids.Length * compressed.Users.Dimension];
        var found = new bool[ids.Length];
        var latencies = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            clock.Restart();
            store.GetMany(version, KnowledgeTableKind.User, ids, destination, found);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();
        Console.WriteLine($"{name}: GetMany(1,000 user keys) p50 {latencies[100]:F2} ms, p99 {latencies[198]:F2} ms");
        var cached = new CachedKnowledge(store, version);
        clock.Restart();
        long served = 0;
        while (clock.Elapsed.TotalSeconds < 3)
        {
            cached.Compute(rows);
            served += rows.Count;
        }
        Console.WriteLine($"{name}: cached knowledge (Eq. 6) for blocks of {rows.Count:N0} rows: {served / clock.Elapsed.TotalSeconds:N0} rows/s, {cached.Misses:N0} misses of {cached.Lookups:N0}");
    }
}
