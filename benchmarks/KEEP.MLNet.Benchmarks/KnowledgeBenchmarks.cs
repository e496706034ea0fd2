using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Stage 1: pre-training samples/s end to end from Parquet (paper sizes, L = 50), batch extraction rows/s
/// (batched network and plain ML.NET ONNX), and single-row PredictionEngine latency on a loaded zip.
/// Usage: <c>knowledge [preset] [max-training-rows]</c>.
/// </summary>
internal static class KnowledgeBenchmarks
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        long maxRows = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300_000;
        string folder = Directory.CreateTempSubdirectory("keep-bench-knowledge-").FullName;
        try
        {
            var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset), folder);
            var options = new PretrainingOptions();
            Console.WriteLine($"preset {preset}; paper sizes (embeddings 48/16, attention 80-40, towers 512-256-128-64, 3 tasks), L = {options.HistoryLength}, batch {options.BatchSize}, {Environment.ProcessorCount} cores");
            Console.WriteLine($"forward {ModelCost.ForwardFlops(options) / 1e6:F2} MFLOP/sample, training ≈ {ModelCost.TrainingFlops(options) / 1e6:F2} MFLOP/sample");

            string super = dataset.Files[DatasetSplit.Super];
            IEnumerable<ImpressionBatch> Rows() => BenchmarkRows.Take(ImpressionFile.Read(super), maxRows);
            var clock = Stopwatch.StartNew();
            using var model = new KeepPretrainer(options).Fit(Rows);
            var elapsed = clock.Elapsed;
            Report("pre-training, end to end from Parquet (vocabulary pass + one epoch)", model.History.Rows, elapsed, "samples/s");
            Console.WriteLine($"  = {model.History.Rows * (double)ModelCost.TrainingFlops(options) / elapsed.TotalSeconds / 1e9:F1} GFLOP/s sustained");

            var ml = new MLContext(1);
            var sub = ImpressionFile.Load(dataset.Files[DatasetSplit.SubTrain], options.HistoryLength);
            using var transformer = ml.Transforms.KeepKnowledge(model).Fit(sub);
            clock.Restart();
            long rows = Consume(transformer.Transform(sub));
            Report("batch extraction (Transform, batched network)", rows, clock.Elapsed, "rows/s");

            string zip = Path.Combine(folder, "knowledge.zip");
            KnowledgeModelFile.Save(ml, transformer, sub.Schema, zip);
            var fresh = new MLContext(2);
            var loaded = fresh.Model.Load(zip, out _);
            var test = ImpressionFile.Load(dataset.Files[DatasetSplit.SubTest], options.HistoryLength);
            clock.Restart();
            rows = Consume(loaded.Transform(test));
            Report("plain ML.NET zip Transform (ONNX, row by row)", rows, clock.Elapsed, "rows/s");

            var engine = fresh.Model.CreatePredictionEngine<ImpressionInput, KnowledgeOutput>(loaded);
            var inputs = ImpressionFile.Read(dataset.Files[DatasetSplit.SubTest]).SelectMany(b => Enumerable.Range(0, b.Count).Select(r => ImpressionInput.From(b, r))).Take(3_000).ToList();
            foreach (var input in inputs.Take(200)) engine.Predict(input);
            var latencies = new List<double>();
            foreach (var input in inputs)
            {
                long start = Stopwatch.GetTimestamp();
                engine.Predict(input);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            latencies.Sort();
            Console.WriteLine($"{"PredictionEngine single row (loaded zip)",-70} p50 {latencies[latencies.Count / 2],6:F0} µs  p90 {latencies[latencies.Count * 9 / 10],6:F0} µs  p99 {latencies[latencies.Count * 99 / 100],6:F0} µs");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long Consume(IDataView view)
    {
        long rows = 0;
        using var cursor = view.GetRowCursor(view.Schema.Where(c => c.Name == "K_ui"));
        var getter = cursor.GetGetter<VBuffer<float>>(view.Schema["K_ui"]);
        var value = default(VBuffer<float>);
        while (cursor.MoveNext()) { getter(ref value); rows++; }
        return rows;
    }

    private static void Report(string what, long rows, TimeSpan elapsed, string unit)
        => Console.WriteLine($"{what,-70} {rows,10:N0} rows {elapsed.TotalSeconds,8:F1} s {rows / elapsed.TotalSeconds,10:N0} {unit}");
}
