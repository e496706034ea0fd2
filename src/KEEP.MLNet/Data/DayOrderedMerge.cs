namespace KEEP.MLNet.Data;

/// <summary>
/// Merges two day-ordered row streams into one day-ordered stream (rows of the first source first within a
/// day), without holding more than one block of each: the paper's "sample merging" baseline trains on
/// super-domain and sub-domain rows together.
/// </summary>
public static class DayOrderedMerge
{
    /// <summary>The merged rows in blocks of <paramref name="blockSize"/>.</summary>
    public static IEnumerable<ImpressionBatch> Merge(IEnumerable<ImpressionBatch> first, IEnumerable<ImpressionBatch> second, int blockSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        using var a = new RowReader(first.GetEnumerator());
        using var b = new RowReader(second.GetEnumerator());
        var output = new ImpressionBatch(blockSize);
        while (a.HasRow || b.HasRow)
        {
            var next = !b.HasRow || (a.HasRow && a.Day <= b.Day) ? a : b;
            output.AddRow(next.Batch, next.Row);
            next.Advance();
            if (output.Count == blockSize)
            {
                yield return output;
                output = new ImpressionBatch(blockSize);
            }
        }
        if (output.Count > 0) yield return output;
    }

    /// <summary>
    /// Merges any number of day-ordered shards (e.g. one Parquet file per partition of a day) into one
    /// day-ordered stream, holding one block per shard: <c>Merge(paths.Select(ImpressionFile.Read))</c>.
    /// </summary>
    public static IEnumerable<ImpressionBatch> Merge(IEnumerable<IEnumerable<ImpressionBatch>> shards, int blockSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var list = shards.ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one shard.", nameof(shards));
        return list.Count == 1 ? list[0] : list.Skip(1).Aggregate(list[0], (merged, next) => Merge(merged, next, blockSize));
    }

    /// <summary>A cursor over the rows of a stream of blocks; checks the days never go back.</summary>
    private sealed class RowReader : IDisposable
    {
        private readonly IEnumerator<ImpressionBatch> _blocks;
        private int _lastDay = int.MinValue;

        public RowReader(IEnumerator<ImpressionBatch> blocks)
        {
            _blocks = blocks;
            Row = -1;
            NextBlock();
        }

        public ImpressionBatch Batch { get; private set; } = new(1);
        public int Row { get; private set; }
        public bool HasRow => Row < Batch.Count;
        public int Day => Batch.Day[Row];

        public void Advance()
        {
            if (++Row >= Batch.Count) NextBlock();
            else Check();
        }

        private void NextBlock()
        {
            while (_blocks.MoveNext())
            {
                if (_blocks.Current.Count == 0) continue;
                Batch = _blocks.Current;
                Row = 0;
                Check();
                return;
            }
            Row = Batch.Count;
        }

        private void Check()
        {
            if (Day < _lastDay) throw new ArgumentException($"Rows are not in day order: day {Day} after day {_lastDay}; merging needs day-ordered sources (shards, or the super- and sub-domain for sample merging).");
            _lastDay = Day;
        }

        public void Dispose() => _blocks.Dispose();
    }
}
