using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Layers;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Where a pre-training step's time goes, on real blocks of a world: the whole step, then the towers and the
/// attention unit each alone (forward + backward on the block's shapes), medians of interleaved repetitions.
/// Usage: <c>step-profile [preset] [rows]</c>; KEEP_PROFILE_ONLY=prefix runs only the parts so named, KEEP_PROFILE_REPS=n repeats n times.
/// </summary>
internal static class StepProfile
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "shared-click";
        int maxRows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40_000;
        string folder = Directory.CreateTempSubdirectory("keep-bench-profile-").FullName;
        try
        {
            var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset), folder);
            var rows = BenchmarkRows.Take(ImpressionFile.Read(dataset.Files[DatasetSplit.Super]), maxRows).ToList();
            var options = new PretrainingOptions();
            set_num_threads(Environment.ProcessorCount);
            var vocabularies = FeatureVocabularies.Build(rows, options.MinIdCount, out _);
            var inputs = new List<(ModelInput Input, TaskTargets[] Targets)>();
            foreach (var batch in rows)
                for (int start = 0; start + options.BatchSize <= batch.Count; start += options.BatchSize)
                    inputs.Add((ModelInput.From(batch, start, options.BatchSize, vocabularies, options.HistoryLength),
                        [.. options.Tasks.Select(t => TaskTargets.For(t, batch, start, options.BatchSize))]));
            Console.WriteLine($"{inputs.Count} blocks of {options.BatchSize}; mean real slots {inputs.Average(i => i.Input.RealSlotRow.Length):N0}, distinct behaviours {inputs.Average(i => i.Input.DistinctItem.Length):N0}");

            manual_seed(options.Seed);
            using var network = new KeepPretrainingModel(vocabularies, options);
            network.train();
            using var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, EmbeddingUpdates.RowwiseAdam);
            var parts = new List<(string Name, Action<int> Run)>
            {
                ("whole step (row-wise Adam)", b =>
                {
                    var (input, targets) = inputs[b % inputs.Count];
                    var output = network.forward(input.ToTensors());
                    var loss = Enumerable.Range(0, output.Logits.Length).Select(t => KeepLoss.Task(output.Logits[t], targets[t], options.PairwiseWeight).Total).Aggregate((x, y) => x + y);
                    optimizer.ZeroGrad();
                    loss.backward();
                    optimizer.ApplyGradients();
                }),
                ("forward only", b =>
                {
                    using var _ = no_grad();
                    network.forward(inputs[b % inputs.Count].Input.ToTensors());
                }),
            };
            int towerInput = network.Embeddings.UserDim + 2 * network.Embeddings.ItemDim;
            var towerX = randn(options.BatchSize, towerInput).requires_grad_(true);
            parts.Add(("towers, forward + backward", _ =>
            {
                Tensor loss = zeros(1).sum();
                foreach (var tower in network.Towers)
                {
                    var (logit, knowledge) = tower.Forward(towerX);
                    loss = loss + logit.sum() + knowledge.mean();
                }
                loss.backward();
                towerX.grad!.zero_();
            }));
            parts.Add(("towers, forward only", _ =>
            {
                using var __ = no_grad();
                foreach (var tower in network.Towers) tower.Forward(towerX);
            }));
            int dim = network.Embeddings.ItemDim;
            var query = randn(options.BatchSize, dim).mul(0.05).requires_grad_(true);
            parts.Add(("attention over real slots, forward + backward", b =>
            {
                var input = inputs[b % inputs.Count].Input;
                var keys = randn(input.DistinctItem.Length, dim).mul(0.05).requires_grad_(true);
                var pooled = network.Attention.PoolReal(query, keys, tensor(input.RealSlotRow), tensor(input.RealSlotBehaviour));
                pooled.sum().backward();
                query.grad!.zero_();
            }));
            parts.Add(("attention over real slots, forward only", b =>
            {
                using var __ = no_grad();
                var input = inputs[b % inputs.Count].Input;
                var keys = randn(input.DistinctItem.Length, dim).mul(0.05);
                network.Attention.PoolReal(query, keys, tensor(input.RealSlotRow), tensor(input.RealSlotBehaviour));
            }));

            if (Environment.GetEnvironmentVariable("KEEP_PROFILE_ONLY") is { } only) parts = [.. parts.Where(p => p.Name.StartsWith(only, StringComparison.Ordinal))];
            int reps = int.Parse(Environment.GetEnvironmentVariable("KEEP_PROFILE_REPS") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
            var times = parts.Select(_ => new List<double>()).ToArray();
            for (int rep = 0; rep < reps; rep++)
                for (int k = 0; k < parts.Count; k++)
                {
                    long start = Stopwatch.GetTimestamp();
                    using (var scope = NewDisposeScope()) parts[k].Run(rep);
                    if (rep >= 3) times[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            for (int k = 0; k < parts.Count; k++)
                Console.WriteLine($"  {parts[k].Name,-48} median {times[k].Order().ElementAt(times[k].Count / 2),7:F1} ms (min {times[k].Min():F1})");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
