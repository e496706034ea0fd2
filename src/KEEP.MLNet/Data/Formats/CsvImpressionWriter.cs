using System.Globalization;
using System.Text;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Writes impressions as CSV with a header row: ids and day as integers, behaviour histories as
/// space-separated ids, labels as 0/1. Written under a temporary name until <see cref="Complete"/>.
/// </summary>
public sealed class CsvImpressionWriter : IDisposable
{
    private readonly AtomicFile _file;
    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();
    private bool _completed;

    /// <summary>Starts a file at <paramref name="path"/> and writes the header.</summary>
    public CsvImpressionWriter(string path)
    {
        _file = new AtomicFile(path);
        _writer = new StreamWriter(_file.Stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        _writer.WriteLine(string.Join(',', ImpressionColumns.All));
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Appends the rows of a batch.</summary>
    public void Write(ImpressionBatch batch)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        for (int r = 0; r < batch.Count; r++)
        {
            _line.Clear();
            Append(batch.Day[r]).Append(',');
            Append(batch.UserId[r]).Append(',');
            Append(batch.ItemId[r]).Append(',');
            Append(batch.ShopId[r]).Append(',');
            Append(batch.CategoryId[r]).Append(',');
            AppendList(batch.HistoryItemsOf(r)).Append(',');
            AppendList(batch.HistoryShopsOf(r)).Append(',');
            AppendList(batch.HistoryCategoriesOf(r)).Append(',');
            _line.Append(batch.Click[r] ? '1' : '0').Append(',')
                 .Append(batch.Cart[r] ? '1' : '0').Append(',')
                 .Append(batch.Conversion[r] ? '1' : '0');
            _writer.WriteLine(_line);
        }
        RowsWritten += batch.Count;
    }

    private StringBuilder Append(int value) => _line.Append(value.ToString(CultureInfo.InvariantCulture));

    private StringBuilder AppendList(ReadOnlySpan<int> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) _line.Append(' ');
            Append(values[i]);
        }
        return _line;
    }

    /// <summary>Flushes and moves the file to its final name.</summary>
    public void Complete()
    {
        if (_completed) return;
        _writer.Flush();
        _file.Commit();
        _completed = true;
    }

    /// <summary>Discards the file unless <see cref="Complete"/> ran.</summary>
    public void Dispose() => _file.Dispose();
}
