using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Pre-training speed as a ratio against a plain TorchSharp script of the same network, in one run on the
/// same rows: the reference (<see cref="NaivePretrainingNetwork"/>, dense Adam) is timed on blocks prepared in
/// memory beforehand — the day-shuffled blocks training draws — (its model step only, no reading, after 3 warm-up blocks), KEEP.MLNet end to end from Parquet (vocabulary pass,
/// reading, shuffling, preparation and the steps). Usage: <c>pretrain-ratio [preset] [rows] [rounds]</c>;
/// rounds alternate the two so that a shared machine's load falls on both alike.
/// </summary>
internal static class PretrainingRatioBenchmarks
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        int maxRows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        int rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2;
        string folder = Directory.CreateTempSubdirectory("keep-bench-ratio-").FullName;
        try
        {
            var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset), folder);
            string super = Path.Combine(folder, "super-head.parquet");
            ImpressionFile.Write(super, BenchmarkRows.Take(ImpressionFile.Read(dataset.Files[DatasetSplit.Super]), maxRows));
            var options = new PretrainingOptions();
            set_num_threads(Environment.ProcessorCount);
            Console.WriteLine($"preset {preset}, {maxRows:N0} super-domain rows, batch {options.BatchSize}, L = {options.HistoryLength}, {Environment.ProcessorCount} cores");
            var blocks = Prepare(super, options, out var vocabularies);
            if (blocks.Count <= Warmup)
                throw new ArgumentException($"{maxRows:N0} rows make {blocks.Count} blocks of {options.BatchSize}; the timings need more than the {Warmup} warm-up blocks (give at least {(Warmup + 1) * options.BatchSize:N0} rows).");
            Console.WriteLine($"vocabularies: {vocabularies.Users.Size:N0} users, {vocabularies.Items.Size:N0} items, {vocabularies.Shops.Size:N0} shops, {vocabularies.Categories.Size:N0} categories");
            var ratios = new List<double>();
            for (int round = 1; round <= rounds; round++)
            {
                if (round == 1) StepTimes(blocks, vocabularies, options);
                double naive = Naive(blocks, vocabularies, options);
                var clock = Stopwatch.StartNew();
                using (var model = new KeepPretrainer(options).Fit(() => ImpressionFile.Read(super)))
                {
                    double keep = model.History.Rows / clock.Elapsed.TotalSeconds;
                    ratios.Add(keep / naive);
                    Console.WriteLine($"round {round}: naive TorchSharp (model step only) {naive,8:N0} samples/s   KEEP.MLNet end to end from Parquet {keep,8:N0} samples/s   ratio {keep / naive:F2}");
                }
            }
            Console.WriteLine($"ratio (KEEP.MLNet / naive): median {ratios.Order().ElementAt(ratios.Count / 2):F2}, min {ratios.Min():F2}, max {ratios.Max():F2}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Blocks run before the clock starts in the model-step-only timings (allocator and thread-pool warm-up).</summary>
    private const int Warmup = 3;

    private sealed record Block(ModelInput Input, TaskTargets[] Targets);

    private static List<Block> Prepare(string path, PretrainingOptions options, out FeatureVocabularies vocabularies)
    {
        vocabularies = FeatureVocabularies.Build(ImpressionFile.Read(path), options.MinIdCount, out _);
        var local = vocabularies;
        // File order: rows of one visit side by side, sharing their behaviour lists (what the de-duplication exploits most).
        var inFileOrder = Blocks(ImpressionFile.Read(path), options.BatchSize).Select(b => From(b, local, options).Input.DistinctItem.Length).Average();
        // The blocks training sees: the day-ordered stream shuffled within each day, as KeepPretrainer.Fit draws it.
        var batches = TrainingOrder.DayShuffled(() => ImpressionFile.Read(path), options.BatchSize, options.Seed, stream: 10)(0).ToList();
        var clock = Stopwatch.StartNew();
        var blocks = batches.Select(b => From(b, local, options)).ToList();
        Console.WriteLine($"block preparation (index arrays, distinct behaviours, task targets) on one thread: {batches.Sum(b => b.Count) / clock.Elapsed.TotalSeconds:N0} rows/s");
        Console.WriteLine($"distinct behaviours per block: {blocks.Average(b => b.Input.DistinctItem.Length):N0} in the day-shuffled blocks timed below (as training draws them), {inFileOrder:N0} in file order");
        return blocks;
    }

    private static IEnumerable<ImpressionBatch> Blocks(IEnumerable<ImpressionBatch> source, int size)
    {
        var pending = new ImpressionBatch(size);
        foreach (var batch in source)
            for (int r = 0; r < batch.Count; r++)
            {
                pending.AddRow(batch, r);
                if (pending.Count == size) { yield return pending; pending = new ImpressionBatch(size); }
            }
        if (pending.Count > 0) yield return pending;
    }

    private static Block From(ImpressionBatch batch, FeatureVocabularies vocabularies, PretrainingOptions options)
        => new(ModelInput.From(batch, 0, batch.Count, vocabularies, options.HistoryLength),
            [.. options.Tasks.Select(t => TaskTargets.For(t, batch, 0, batch.Count))]);

    /// <summary>
    /// The library's network and optimizer on the prepared blocks (no reading, no preparation) and the naive script,
    /// interleaved step by step so that a shared machine's drift falls on all alike: median step time of each.
    /// </summary>
    private static void StepTimes(List<Block> blocks, FeatureVocabularies v, PretrainingOptions options)
    {
        var variants = new List<(string Name, Func<Block, double> Step, IDisposable Owner)>();
        foreach (var (updates, distinct) in new[] { (EmbeddingUpdates.RowwiseAdam, true), (EmbeddingUpdates.RowwiseAdam, false), (EmbeddingUpdates.DenseAdam, true), (EmbeddingUpdates.DenseAdam, false) })
        {
            manual_seed(options.Seed);
            var network = new KeepPretrainingModel(v, options);
            network.train();
            var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, updates);
            variants.Add(($"KEEP.MLNet {updates}, {(distinct ? "distinct behaviours" : "per slot")}", block => Timed(() =>
            {
                var tensors = block.Input.ToTensors();
                var output = network.forward(distinct ? tensors : tensors with { Behaviours = null });
                var loss = Enumerable.Range(0, output.Logits.Length).Select(t => KeepLoss.Task(output.Logits[t], block.Targets[t], options.PairwiseWeight).Total).Aggregate((a, b) => a + b);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.ApplyGradients();
            }), new Owners(network, optimizer)));
        }
        manual_seed(options.Seed);
        var naive = new NaivePretrainingNetwork(v.Users.Size, v.Items.Size, v.Shops.Size, v.Categories.Size, options.Tasks.Count);
        naive.train();
        var adam = optim.Adam(naive.parameters(), options.LearningRate);
        variants.Add(("naive TorchSharp", block => Timed(() => NaiveStep(naive, adam, block, options)), new Owners(naive, adam)));
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int b = 0; b < blocks.Count; b++)
            for (int k = 0; k < variants.Count; k++)
            {
                double ms = variants[k].Step(blocks[b]);
                if (b >= Warmup) times[k].Add(ms);
            }
        double naiveMedian = Median(times[^1]);
        for (int k = 0; k < variants.Count; k++)
        {
            double median = Median(times[k]);
            Console.WriteLine($"  model step only, {variants[k].Name,-42} median {median,7:F1} ms = {options.BatchSize / median * 1000,8:N0} samples/s  ({naiveMedian / median:F2}x naive)");
            variants[k].Owner.Dispose();
        }
    }

    private static double Timed(Action step)
    {
        long start = Stopwatch.GetTimestamp();
        using (var scope = NewDisposeScope()) step();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private sealed class Owners(params IDisposable[] owned) : IDisposable
    {
        public void Dispose() { foreach (var o in owned) o.Dispose(); }
    }

    /// <summary>The plain script's step: tensors, forward, BCE + α·pairwise per task, dense Adam.</summary>
    private static void NaiveStep(NaivePretrainingNetwork network, TorchSharp.Modules.Adam optimizer, Block block, PretrainingOptions options)
    {
        var i = block.Input;
        long[] h = [i.Rows, i.HistoryLength];
        var logits = network.forward((tensor(i.User), tensor(i.Item), tensor(i.Shop), tensor(i.Category), tensor(i.HistoryItem, h), tensor(i.HistoryShop, h), tensor(i.HistoryCategory, h)));
        Tensor loss = zeros(1).sum();
        for (int t = 0; t < logits.Length; t++)
        {
            var target = block.Targets[t];
            if (target.Rows.Length > 0)
                loss += nn.functional.binary_cross_entropy_with_logits(logits[t].index_select(0, tensor(target.Rows.Select(r => (long)r).ToArray())), tensor(target.Labels));
            if (target.Better.Length > 0)
                loss += options.PairwiseWeight * nn.functional.softplus(
                    logits[t].index_select(0, tensor(target.Worse.Select(r => (long)r).ToArray())) - logits[t].index_select(0, tensor(target.Better.Select(r => (long)r).ToArray()))).mean();
        }
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    /// <summary>The plain script alone on every block (after the warm-up): its samples/s.</summary>
    private static double Naive(List<Block> blocks, FeatureVocabularies v, PretrainingOptions options)
    {
        manual_seed(options.Seed);
        using var network = new NaivePretrainingNetwork(v.Users.Size, v.Items.Size, v.Shops.Size, v.Categories.Size, options.Tasks.Count);
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        network.train();
        long rows = 0;
        var clock = new Stopwatch();
        foreach (var (block, index) in blocks.Select((b, i) => (b, i)))
        {
            if (index == Warmup) { clock.Restart(); rows = 0; }
            using var scope = NewDisposeScope();
            NaiveStep(network, optimizer, block, options);
            rows += block.Input.Rows;
        }
        return rows / clock.Elapsed.TotalSeconds;
    }
}
