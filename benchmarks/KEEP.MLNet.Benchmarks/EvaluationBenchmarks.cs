using System.Diagnostics;
using KEEP.MLNet.Evaluation;
using Microsoft.ML;

namespace KEEP.MLNet.Benchmarks;

/// <summary>GAUC throughput on a synthetic scored set: 200k users, long-tailed impressions. Usage: <c>evaluation [rows]</c>.</summary>
internal static class EvaluationBenchmarks
{
    private sealed class Row
    {
        public int UserId { get; set; }
        public bool Label { get; set; }
        public float Score { get; set; }
    }

    public static void Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5_000_000;
        var random = new Random(1);
        var rows = new Row[n];
        for (int i = 0; i < n; i++)
        {
            float score = (float)random.NextDouble();
            rows[i] = new Row { UserId = (int)(200_000 * Math.Pow(random.NextDouble(), 2)), Score = score, Label = random.NextDouble() < 0.02 + 0.06 * score };
        }
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        ml.BinaryClassification.EvaluateGauc(data); // warm-up
        var clock = Stopwatch.StartNew();
        var metrics = ml.BinaryClassification.EvaluateGauc(data);
        Console.WriteLine($"EvaluateGauc over an IDataView: {n:N0} rows in {clock.Elapsed.TotalSeconds:F2} s = {n / clock.Elapsed.TotalSeconds:N0} rows/s (GAUC {metrics.Gauc:F4}, {metrics.Groups:N0} groups)");

        var scores = rows.Select(r => r.Score).ToArray();
        var labels = rows.Select(r => r.Label).ToArray();
        var groups = rows.Select(r => r.UserId).ToArray();
        clock.Restart();
        GaucEvaluator.Compute(scores, labels, groups);
        Console.WriteLine($"GaucEvaluator.Compute over arrays: {n / clock.Elapsed.TotalSeconds:N0} rows/s");
    }
}
