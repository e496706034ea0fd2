using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Downstream training and scoring throughput of the KEEP DNN on a generated world's sub-domain, without
/// and with plugged knowledge (knowledge from a model pre-trained on the first super-domain rows).
/// Usage: <c>downstream [preset] [pretrainRows]</c>.
/// </summary>
internal static class DownstreamBenchmarks
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        int pretrainRows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
        string folder = Path.Combine(Path.GetTempPath(), $"keep-bench-downstream-{preset}");
        var dataset = DatasetGenerator.Generate(WorldOptions.Preset(preset), folder);
        var train = ImpressionFile.Read(dataset.Files[DatasetSplit.SubTrain]).ToList();
        var test = ImpressionFile.Read(dataset.Files[DatasetSplit.SubTest]).ToList();
        long trainRows = train.Sum(b => b.Count), testRows = test.Sum(b => b.Count);
        using var knowledge = new KeepPretrainer().Fit(() => FirstRows(ImpressionFile.Read(dataset.Files[DatasetSplit.Super]), pretrainRows));

        foreach (var (name, model) in new[] { ("Base DNN", (PretrainedModel?)null), ("KEEP DNN", knowledge) })
        {
            var clock = Stopwatch.StartNew();
            using var dnn = new KeepDnnTrainer().Fit(() => train, model);
            double fit = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{name} training: {trainRows:N0} rows (vocabulary pass + 1 epoch) in {fit:F1} s = {trainRows / fit:N0} samples/s");
            clock.Restart();
            foreach (var batch in test) dnn.Predict(batch);
            Console.WriteLine($"{name} batched scoring: {testRows / clock.Elapsed.TotalSeconds:N0} rows/s");
        }

        var ml = new MLContext(1);
        var view = ImpressionFile.Load(dataset.Files[DatasetSplit.SubTrain], 50);
        using var transformer = ml.BinaryClassification.Trainers.KeepDnn(knowledge: knowledge).Fit(view);
        string zip = Path.Combine(folder, "keep-dnn.zip");
        ml.Model.Save(transformer, view.Schema, zip);
        var loaded = KeepModel.Load(new MLContext(2), zip, out _);
        var testView = ImpressionFile.Load(dataset.Files[DatasetSplit.SubTest], 50);
        var scoredClock = Stopwatch.StartNew();
        long count = loaded.Transform(testView).GetColumn<float>("Probability").LongCount();
        Console.WriteLine($"KEEP DNN zip (ONNX, row by row) Transform: {count / scoredClock.Elapsed.TotalSeconds:N0} rows/s");
    }

    /// <summary>Whole blocks until at least <paramref name="rows"/> rows.</summary>
    private static IEnumerable<ImpressionBatch> FirstRows(IEnumerable<ImpressionBatch> blocks, long rows)
    {
        long taken = 0;
        foreach (var block in blocks)
        {
            if (taken >= rows) yield break;
            taken += block.Count;
            yield return block;
        }
    }
}
