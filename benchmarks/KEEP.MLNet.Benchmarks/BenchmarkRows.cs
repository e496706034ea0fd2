using KEEP.MLNet.Data;

namespace KEEP.MLNet.Benchmarks;

/// <summary>Row helpers the benchmark harnesses share.</summary>
internal static class BenchmarkRows
{
    /// <summary>The first <paramref name="rows"/> rows of a stream of blocks (the last block cut to fit).</summary>
    public static IEnumerable<ImpressionBatch> Take(IEnumerable<ImpressionBatch> source, long rows)
    {
        foreach (var batch in source)
        {
            if (rows <= 0) yield break;
            if (batch.Count <= rows) { rows -= batch.Count; yield return batch; continue; }
            yield return batch.Slice(0, (int)rows);
            rows = 0;
        }
    }
}
