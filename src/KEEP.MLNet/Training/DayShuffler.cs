using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Training;

/// <summary>
/// The paper's data order: days in order, rows shuffled within each day. Buffers one day at a time (not
/// the dataset) and yields blocks of <c>batchSize</c> rows. Rows must come ordered by day; a row whose day
/// is earlier than the one before it is an error that names the row.
/// </summary>
internal static class DayShuffler
{
    public static IEnumerable<ImpressionBatch> Batches(IEnumerable<ImpressionBatch> source, int batchSize, SeededRandom random)
    {
        // The day is held as exact-size copies of the incoming runs of rows (no doubling buffer that would
        // need twice a day's memory while it grows), addressed in arrival order.
        var day = new List<ImpressionBatch>();
        int currentDay = int.MinValue;
        long row = 0;
        foreach (var block in source)
        {
            int runStart = 0;
            for (int r = 0; r < block.Count; r++, row++)
            {
                int d = block.Day[r];
                if (d == currentDay) continue;
                if (d < currentDay)
                    throw new DataFormatException("training data", row + 1, ImpressionColumns.Day, $"day {d} comes after day {currentDay}; rows must be ordered by day");
                if (r > runStart) day.Add(block.Slice(runStart, r - runStart));
                runStart = r;
                foreach (var batch in Drain(day, batchSize, random)) yield return batch;
                currentDay = d;
            }
            if (block.Count > runStart) day.Add(block.Slice(runStart, block.Count - runStart));
        }
        foreach (var batch in Drain(day, batchSize, random)) yield return batch;
    }

    private static IEnumerable<ImpressionBatch> Drain(List<ImpressionBatch> day, int batchSize, SeededRandom random)
    {
        int rows = day.Sum(b => b.Count);
        if (rows == 0) yield break;
        var chunkOf = new int[rows];
        var rowOf = new int[rows];
        for (int c = 0, i = 0; c < day.Count; c++)
            for (int r = 0; r < day[c].Count; r++, i++) (chunkOf[i], rowOf[i]) = (c, r);
        var order = new int[rows];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order.AsSpan());
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            var batch = new ImpressionBatch(count);
            for (int k = 0; k < count; k++) batch.AddRow(day[chunkOf[order[start + k]]], rowOf[order[start + k]]);
            yield return batch;
        }
        day.Clear();
    }
}
