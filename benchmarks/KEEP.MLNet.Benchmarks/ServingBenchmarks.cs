using Microsoft.ML;
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

    /// <summary>Reads only: <c>serving-read store version data.parquet</c> measures an already published version (no compression).</summary>
    public static void Read(string[] args)
    {
        using var store = KnowledgeStore.Open(args[0]);
        string version = args.Length > 1 && args[1].Length > 0 ? args[1] : store.Versions()[^1];
        var rows = ImpressionFile.Read(args[2]).First();
        Lookups(args[0], store, version, [.. rows.UserId.ToArray().Select(u => (long)u).Distinct()], rows);

        // The same through ML.NET: KeepCachedKnowledge over the file's IDataView, every K_cached vector read;
        // from the store, then with the version embedded in the transformer (small-catalogue mode).
        var ml = new Microsoft.ML.MLContext(1);
        var view = ImpressionFile.Load(args[2], 50);
        foreach (bool embed in new[] { false, true })
        {
            using var transformer = ml.Transforms.KeepCachedKnowledge(new CachedKnowledgeOptions { Store = args[0], Version = version, Embed = embed }).Fit(view);
            for (int pass = 0; pass < 2; pass++)
            {
                var clock = Stopwatch.StartNew();
                var transformed = transformer.Transform(view);
                long count = 0;
                using (var cursor = transformed.GetRowCursor([transformed.Schema["K_cached"]]))
                {
                    var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(transformed.Schema["K_cached"]);
                    var value = default(Microsoft.ML.Data.VBuffer<float>);
                    while (cursor.MoveNext())
                    {
                        getter(ref value);
                        count++;
                    }
                }
                Console.WriteLine($"ML.NET pipeline (Parquet → KeepCachedKnowledge{(embed ? ", embedded" : "")}, pass {pass + 1}): {count:N0} rows in {clock.Elapsed.TotalSeconds:F2} s = {count / clock.Elapsed.TotalSeconds:N0} rows/s");
            }
        }
    }

    private static void Measure(string name, IKnowledgeStore store, CompressedKnowledge compressed, ImpressionBatch rows)
    {
        string version = $"bench-{DateTime.UtcNow:HHmmssfff}";
        var clock = Stopwatch.StartNew();
        store.Publish(version, compressed.ToTables());
        Console.WriteLine($"{name}: publish {compressed.Entries:N0} entries in {clock.Elapsed.TotalSeconds:F1} s");
        Lookups(name, store, version, compressed.Users.Ids, rows);
    }

    private static void Lookups(string name, IKnowledgeStore store, string version, long[] users, ImpressionBatch rows)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(1);
        var ids = Enumerable.Range(0, 1000).Select(_ => users[random.Next(users.Length)]).ToArray();
        var destination = new float[ids.Length * store.Dimension(version, KnowledgeTableKind.User)];
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
