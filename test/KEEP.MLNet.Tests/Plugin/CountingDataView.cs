using Microsoft.ML;

namespace KEEP.MLNet.Tests.Plugin;

/// <summary>An <see cref="IDataView"/> that counts how often it is read (cursors opened), passing everything through.</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    private int _cursors;

    /// <summary>Cursors opened so far (a cursor set counts once).</summary>
    public int Cursors => _cursors;

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        Interlocked.Increment(ref _cursors);
        return inner.GetRowCursor(columnsNeeded, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        Interlocked.Increment(ref _cursors);
        return inner.GetRowCursorSet(columnsNeeded, n, rand);
    }
}
