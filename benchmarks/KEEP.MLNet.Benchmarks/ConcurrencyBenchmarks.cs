using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Issue 9's load check at full size: a KEEP DNN zip loaded once, 8 threads × 100,000 predictions with one
/// <c>PredictionEngine</c> each (<c>OwnsTransformer = false</c>), every prediction compared with a
/// single-threaded reference. Usage: <c>concurrency [threads] [predictionsPerThread]</c>.
/// </summary>
internal static class ConcurrencyBenchmarks
{
    /// <summary>A KEEP DNN with knowledge trained on the tiny world in <paramref name="name"/> under the temp folder, and its test rows as inputs.</summary>
    internal static (string Zip, ImpressionInput[] TestInputs) TinyKeepDnn(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), name);
        var dataset = DatasetGenerator.Generate(WorldOptions.Preset("tiny"), folder);
        var ml = new MLContext(1);
        var train = ImpressionFile.Load(dataset.Files[DatasetSplit.SubTrain], 50);
        string zip = Path.Combine(folder, "keep-dnn.zip");
        using (var knowledge = new KeepPretrainer(new PretrainingOptions { BatchSize = 500 }).Fit(() => ImpressionFile.Read(dataset.Files[DatasetSplit.Super])))
        using (var model = ml.BinaryClassification.Trainers.KeepDnn(new KeepDnnOptions(), knowledge).Fit(train))
            ml.Model.Save(model, train.Schema, zip);
        return (zip, [.. ImpressionFile.Read(dataset.Files[DatasetSplit.SubTest]).SelectMany(b => Enumerable.Range(0, b.Count).Select(r => ImpressionInput.From(b, r)))]);
    }

    public static void Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 8;
        int perThread = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var (zip, inputs) = TinyKeepDnn("keep-bench-concurrency");
        var ml = new MLContext(1);
        var loaded = KeepModel.Load(new MLContext(2), zip, out _);

        var clock = Stopwatch.StartNew();
        var reference = new float[inputs.Length];
        using (var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded, new PredictionEngineOptions { OwnsTransformer = false }))
            for (int i = 0; i < inputs.Length; i++) reference[i] = engine.Predict(inputs[i]).Probability;
        Console.WriteLine($"reference: {inputs.Length:N0} distinct rows on one thread in {clock.Elapsed.TotalSeconds:F1} s = {inputs.Length / clock.Elapsed.TotalSeconds:N0} rows/s");

        long mismatches = 0, errors = 0;
        clock.Restart();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            try
            {
                using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
                for (int i = 0; i < perThread; i++)
                {
                    int row = (i * 7 + t * 1_009) % inputs.Length; // every thread walks the rows in its own order
                    if (engine.Predict(inputs[row]).Probability != reference[row]) Interlocked.Increment(ref mismatches);
                }
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref errors);
                Console.Error.WriteLine($"thread {t}: {e}");
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        long total = (long)threads * perThread;
        Console.WriteLine($"{threads} threads × {perThread:N0} predictions = {total:N0} in {seconds:F1} s = {total / seconds:N0} predictions/s on {Environment.ProcessorCount} cores; " +
            $"{mismatches:N0} differ from the single-threaded reference, {errors} threads failed");
    }
}
