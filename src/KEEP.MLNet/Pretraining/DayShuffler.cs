using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// The paper's data order: days in order, rows shuffled within each day. Buffers one day at a time (not
/// the dataset) and yields blocks of <c>batchSize</c> rows. Rows must come ordered by day; a row whose day
/// is earlier than the one before it is an error that names the row.
/// </summary>
internal static class DayShuffler
{
    public static IEnumerable<ImpressionBatch> Batches(IEnumerable<ImpressionBatch> source, int batchSize, SeededRandom random)
    {
        var day = new ImpressionBatch(Math.Max(batchSize, 1024));
        int currentDay = int.MinValue;
        long row = 0;
        foreach (var block in source)
        {
            for (int r = 0; r < block.Count; r++, row++)
            {
                int d = block.Day[r];
                if (d != currentDay)
                {
                    if (d < currentDay)
                        throw new DataFormatException("training data", row + 1, ImpressionColumns.Day, $"day {d} comes after day {currentDay}; rows must be ordered by day");
                    foreach (var batch in Drain(day, batchSize, random)) yield return batch;
                    currentDay = d;
                }
                day.AddRow(block, r);
            }
        }
        foreach (var batch in Drain(day, batchSize, random)) yield return batch;
    }

    private static IEnumerable<ImpressionBatch> Drain(ImpressionBatch day, int batchSize, SeededRandom random)
    {
        if (day.Count == 0) yield break;
        var order = new int[day.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order.AsSpan());
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            var batch = new ImpressionBatch(count);
            for (int k = 0; k < count; k++) batch.AddRow(day, order[start + k]);
            yield return batch;
        }
        day.Clear();
    }
}
