namespace KEEP.MLNet.Data.Import;

/// <summary>
/// Collects impressions that arrive in any day order and writes them to one file ordered by day: rows go
/// to a temporary Parquet file per day, and <see cref="Complete"/> concatenates the days in order into
/// the output (written atomically). Memory stays bounded by one batch per open day.
/// </summary>
internal sealed class DayOrderedWriter : IDisposable
{
    private readonly string _output;
    private readonly string _folder;
    private readonly int _batchSize;
    private readonly SortedDictionary<int, (Formats.ParquetImpressionWriter Writer, ImpressionBatch Pending)> _days = [];

    public DayOrderedWriter(string output, string tempFolder, int batchSize = 65_536)
    {
        _output = output;
        _folder = Directory.CreateDirectory(tempFolder).FullName;
        _batchSize = batchSize;
    }

    public long Rows { get; private set; }

    public void Add(ImpressionBatch source, int row)
    {
        int day = source.Day[row];
        if (!_days.TryGetValue(day, out var slot))
        {
            slot = (new Formats.ParquetImpressionWriter(Path.Combine(_folder, $"day-{day:D6}.parquet")), new ImpressionBatch(1024));
            _days[day] = slot;
        }
        slot.Pending.AddRow(source, row);
        Rows++;
        if (slot.Pending.Count >= _batchSize)
        {
            slot.Writer.Write(slot.Pending);
            slot.Pending.Clear();
        }
    }

    /// <summary>Writes the output file in day order and returns its row count.</summary>
    public long Complete()
    {
        var dayFiles = new List<string>();
        foreach (var (day, slot) in _days)
        {
            slot.Writer.Write(slot.Pending);
            slot.Pending.Clear();
            slot.Writer.Complete();
            dayFiles.Add(Path.Combine(_folder, $"day-{day:D6}.parquet"));
        }
        return ImpressionFile.Write(_output, dayFiles.SelectMany(f => ImpressionFile.Read(f)));
    }

    public void Dispose()
    {
        foreach (var slot in _days.Values) slot.Writer.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
