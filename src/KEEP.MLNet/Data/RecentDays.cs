namespace KEEP.MLNet.Data;

/// <summary>
/// Keeps the rows of a time window: the paper's Table 6 pre-trains on the most recent month, six months or two
/// years of the super-domain, and its protocol pre-trains on the days before the sub-domain's training days. Works on any row order (each row is tested), streaming one block at a time.
/// </summary>
public static class RecentDays
{
    /// <summary>
    /// The rows whose day is at least <paramref name="firstDay"/>. A block wholly inside the window passes through
    /// unchanged; a block partly inside is copied to a new block of exactly its kept rows; a block wholly outside is skipped.
    /// </summary>
    public static IEnumerable<ImpressionBatch> From(IEnumerable<ImpressionBatch> batches, int firstDay)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Filter(batches, day => day >= firstDay);
    }

    /// <summary>
    /// The rows whose day is before <paramref name="endDay"/> (the paper's pre-training days, before the sub-domain's
    /// training days). Streams as <see cref="From"/> does.
    /// </summary>
    public static IEnumerable<ImpressionBatch> Before(IEnumerable<ImpressionBatch> batches, int endDay)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Filter(batches, day => day < endDay);
    }

    /// <summary>
    /// The window of the last <paramref name="days"/> calendar days of the data (one pass): its first day (the last
    /// day in the data − <paramref name="days"/> + 1; days without rows count) and how many rows fall in it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The data has no rows.</exception>
    public static (int FirstDay, long Rows) Window(IEnumerable<ImpressionBatch> batches, int days)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var rowsPerDay = new SortedDictionary<int, long>();
        foreach (var batch in batches)
            foreach (int day in batch.Day)
                rowsPerDay[day] = rowsPerDay.GetValueOrDefault(day) + 1;
        if (rowsPerDay.Count == 0) throw new ArgumentException("The data has no rows, so it has no recent days.", nameof(batches));
        int firstDay = (int)Math.Max((long)rowsPerDay.Keys.Last() - days + 1, int.MinValue);
        return (firstDay, rowsPerDay.Where(d => d.Key >= firstDay).Sum(d => d.Value));
    }

    private static IEnumerable<ImpressionBatch> Filter(IEnumerable<ImpressionBatch> batches, Func<int, bool> keep)
    {
        foreach (var batch in batches)
        {
            int kept = 0;
            foreach (int day in batch.Day)
                if (keep(day)) kept++;
            if (kept == batch.Count)
            {
                if (kept > 0) yield return batch;
                continue;
            }
            if (kept == 0) continue;
            var window = new ImpressionBatch(kept);
            for (int r = 0; r < batch.Count; r++)
                if (keep(batch.Day[r])) window.AddRow(batch, r);
            yield return window;
        }
    }
}
