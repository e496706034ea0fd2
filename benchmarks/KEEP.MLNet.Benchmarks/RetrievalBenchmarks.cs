using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Sample retrieval: index build rate, index size and queries/s (k = 10, BM25, 1,024 postings per token).
/// With a ROK checkpoint, also the knowledge base's own rate on the same rows (what replaces retrieval).
/// Usage: <c>retrieval [super.parquet | preset] [rok.keep]</c>; a preset is generated in a temp folder.
/// </summary>
internal static class RetrievalBenchmarks
{
    public static void Run(string[] args)
    {
        string source = args.Length > 0 ? args[0] : "default";
        string file = File.Exists(source) ? source
            : DatasetGenerator.Generate(WorldOptions.Preset(source), Directory.CreateTempSubdirectory("keep-retrieval-").FullName).Files[DatasetSplit.Super];
        var before = GC.GetTotalMemory(true);
        var clock = Stopwatch.StartNew();
        using var index = SampleIndex.Build(() => ImpressionFile.Read(file));
        double build = clock.Elapsed.TotalSeconds;
        long bytes = GC.GetTotalMemory(true) - before;
        Console.WriteLine($"index: {index.Count:N0} rows, {index.TokenCount:N0} tokens, {index.PostingCount:N0} postings in {build:F1} s ({index.Count / build:N0} rows/s, two passes incl. Parquet reading); managed memory {bytes / 1e6:F0} MB ({(double)bytes / index.Count:F0} B/row)");

        // Queries: the last 100k indexed rows (they see almost the whole index as earlier days).
        var queries = ImpressionFile.Read(file).SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b, r))).Skip(Math.Max(0, index.Count - 100_000));
        var batch = new ImpressionBatch();
        foreach (var (b, r) in queries) batch.AddRow(b, r);
        index.Search(batch); // warm-up
        clock.Restart();
        var found = index.Search(batch);
        double seconds = clock.Elapsed.TotalSeconds;
        int filled = 0;
        foreach (int row in found.Rows) if (row >= 0) filled++;
        Console.WriteLine($"search: {batch.Count:N0} queries in {seconds:F2} s = {batch.Count / seconds:N0} queries/s on {Environment.ProcessorCount} cores; {(double)filled / batch.Count:F1} of k = {index.Options.Neighbours} filled on average");
        if (args.Length < 2) return;
        using var rok = RokModel.Load(args[1]);
        rok.Compute(batch); // warm-up
        clock.Restart();
        for (int start = 0; start < batch.Count; start += 2048)
        {
            var block = new ImpressionBatch(2048);
            for (int r = start; r < Math.Min(batch.Count, start + 2048); r++) block.AddRow(batch, r);
            rok.Compute(block);
        }
        double rokSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"ROK knowledge base (no retrieval): {batch.Count / rokSeconds:N0} rows/s, {seconds / rokSeconds:F1}× the rate of retrieval alone");
    }
}
