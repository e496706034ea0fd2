using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Row-wise (lazy) against dense Adam for the embedding tables.
/// <c>embedding-quality [preset] [worlds]</c>: pre-trains on each world's super-domain with both and compares the
/// click tower's GAUC on the sub-domain test day (paired user bootstrap).
/// <c>embedding-vocabulary [rowwise|dense|both] [sizes…]</c>: step time of pre-training with 10k, 1M and 5M users
/// (synthetic ids, the same batches), with the process's peak RSS — run one size per process for a per-size peak.
/// </summary>
internal static class EmbeddingUpdateBenchmarks
{
    public static void Quality(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        int worlds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var differences = new List<(double Difference, double Se)>();
        for (int world = 1; world <= worlds; world++)
        {
            string folder = Directory.CreateTempSubdirectory("keep-bench-embedding-").FullName;
            try
            {
                var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset) with { Seed = world }, folder);
                string super = dataset.Files[DatasetSplit.Super];
                var test = ImpressionFile.Read(dataset.Files[DatasetSplit.SubTest]).ToList();
                var labels = test.SelectMany(b => b.Click.ToArray()).ToArray();
                var users = test.SelectMany(b => b.UserId.ToArray()).ToArray();
                var scores = new Dictionary<EmbeddingUpdates, float[]>();
                foreach (var updates in new[] { EmbeddingUpdates.DenseAdam, EmbeddingUpdates.RowwiseAdam })
                {
                    var clock = Stopwatch.StartNew();
                    using var model = new KeepPretrainer(new PretrainingOptions { EmbeddingUpdates = updates, Seed = world }).Fit(() => ImpressionFile.Read(super));
                    scores[updates] = [.. test.SelectMany(b => model.Predict(b, PretrainingTask.Click))];
                    var gauc = GaucEvaluator.Compute(scores[updates], labels, users);
                    Console.WriteLine($"world {world} {updates,-12} click-tower GAUC {gauc.Gauc:F4}  ({model.History.Rows:N0} rows, {model.History.Rows / clock.Elapsed.TotalSeconds:N0} samples/s)");
                }
                var comparison = GaucComparison.Of(scores[EmbeddingUpdates.DenseAdam], scores[EmbeddingUpdates.RowwiseAdam], labels, users);
                differences.Add((comparison.Difference, comparison.StandardError));
                Console.WriteLine($"world {world} row-wise − dense: {comparison.Difference:+0.0000;-0.0000} ± {1.96 * comparison.StandardError:F4} (95%, {comparison.Groups:N0} users)");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        double mean = differences.Average(d => d.Difference);
        double pooledSe = Math.Sqrt(differences.Sum(d => d.Se * d.Se)) / differences.Count;
        Console.WriteLine($"pooled over {differences.Count} worlds: row-wise − dense {mean:+0.0000;-0.0000} ± {1.96 * pooledSe:F4} (95%)");
    }

    public static void Vocabulary(string[] args)
    {
        string which = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "both";
        var sizes = args.SkipWhile(a => !char.IsDigit(a[0])).Select(a => long.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty().ToArray();
        if (sizes is [0]) sizes = [10_000, 1_000_000, 5_000_000];
        EmbeddingUpdates[] kinds = which switch
        {
            "rowwise" => [EmbeddingUpdates.RowwiseAdam],
            "dense" => [EmbeddingUpdates.DenseAdam],
            _ => [EmbeddingUpdates.RowwiseAdam, EmbeddingUpdates.DenseAdam],
        };
        var options = new PretrainingOptions();
        set_num_threads(Environment.ProcessorCount);
        Console.WriteLine($"batch {options.BatchSize}, L = {options.HistoryLength}; 200k items, 20k shops, 2k categories; ids drawn uniformly (the same batches at every size)");
        foreach (var updates in kinds)
            foreach (long users in sizes)
            {
                var vocabularies = new FeatureVocabularies(Vocabulary(users), Vocabulary(200_000), Vocabulary(20_000), Vocabulary(2_000));
                using var network = new KeepPretrainingModel(vocabularies, options);
                network.train();
                using var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, updates);
                var batches = Enumerable.Range(0, 4).Select(b => Batch(options, b, 10_000, vocabularies)).ToArray();
                double Step(int i)
                {
                    long start = Stopwatch.GetTimestamp();
                    using var scope = NewDisposeScope();
                    var output = network.forward(batches[i % batches.Length].ToTensors());
                    var loss = output.Logits.Select(l => l.sigmoid().mean()).Aggregate((a, b) => a + b);
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.ApplyGradients();
                    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                for (int i = 0; i < 3; i++) Step(i);
                var times = Enumerable.Range(0, 12).Select(Step).Order().ToArray();
                Console.WriteLine($"{updates,-12} {users,10:N0} users: step median {times[times.Length / 2],7:F1} ms (min {times[0]:F1})   peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20):N0} MiB");
            }
    }

    private static IdVocabulary Vocabulary(long size) => new(Enumerable.Range(1, (int)size).ToList());

    /// <summary>A block of random rows whose users are drawn from the first <paramref name="userRange"/> users (so every size sees the same rows).</summary>
    private static ModelInput Batch(PretrainingOptions options, int seed, int userRange, FeatureVocabularies vocabularies)
    {
        var random = new SeededRandom(seed, stream: 30);
        var batch = new ImpressionBatch(options.BatchSize);
        for (int r = 0; r < options.BatchSize; r++)
        {
            var items = Enumerable.Range(0, 35).Select(_ => 1 + random.NextInt(200_000)).ToArray();
            batch.Add(0, 1 + random.NextInt(userRange), 1 + random.NextInt(200_000), 1 + random.NextInt(20_000), 1 + random.NextInt(2_000),
                items, [.. items.Select(i => 1 + i % 20_000)], [.. items.Select(i => 1 + i % 2_000)], random.Bernoulli(0.04), false, false);
        }
        return ModelInput.From(batch, 0, batch.Count, vocabularies, options.HistoryLength);
    }
}
