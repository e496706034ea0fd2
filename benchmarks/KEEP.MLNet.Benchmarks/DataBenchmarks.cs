using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Benchmarks;

/// <summary>Throughput of the data layer: simulation alone, generation to Parquet end to end, and reading back.</summary>
internal static class DataBenchmarks
{
    public static void Run(string[] args)
    {
        string preset = args.Length > 0 ? args[0] : "default";
        var options = WorldOptions.Preset(preset);
        string folder = Directory.CreateTempSubdirectory("keep-bench-data-").FullName;
        try
        {
            Console.WriteLine($"preset {preset}: {options.Users:N0} users, {options.Items:N0} items, ~{options.SuperImpressions + options.SubImpressions:N0} rows, {Environment.ProcessorCount} cores");

            var clock = Stopwatch.StartNew();
            long rows = new Simulator(new World(options)).Run().Sum(b => (long)b.Batch.Count);
            Report("simulate only (1 thread)", rows, clock.Elapsed);

            var dataset = DatasetGenerator.Generate(options, folder);
            Report("generate to Parquet (simulate + encode)", dataset.Summaries.Sum(s => s.Rows), dataset.Elapsed);

            string super = dataset.Files[DatasetSplit.Super];
            clock.Restart();
            long read = 0, history = 0;
            foreach (var batch in new ParquetImpressionReader(super).ReadBatches()) { read += batch.Count; history += batch.HistoryLength; }
            Report("read Parquet (validated batches)", read, clock.Elapsed);
            Console.WriteLine($"  super.parquet: {new FileInfo(super).Length / 1e6:F1} MB, {(double)history / read:F1} behaviours per row");

            clock.Restart();
            long viewRows = ImpressionFile.Load(super).GetColumn<int>(ImpressionColumns.UserId).LongCount();
            Report("read through IDataView cursor (one column)", viewRows, clock.Elapsed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(string what, long rows, TimeSpan elapsed)
        => Console.WriteLine($"{what,-45} {rows,12:N0} rows {elapsed.TotalSeconds,8:F2} s {rows / elapsed.TotalSeconds,12:N0} rows/s");
}
