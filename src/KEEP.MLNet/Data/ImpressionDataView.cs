using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// An ML.NET <see cref="IDataView"/> over a stream of <see cref="ImpressionBatch"/>es with the schema of
/// <see cref="ImpressionColumns"/>. Each cursor pulls batches from the source as it goes, so a view over a
/// file of any size holds one batch at a time. Histories are variable-length vectors, or fixed-length
/// right-aligned ones when the view is created with a history length (as saved models expect).
/// </summary>
public sealed class ImpressionDataView : IDataView
{
    private readonly Func<IEnumerable<ImpressionBatch>> _source;
    private readonly long? _rowCount;
    private readonly int _historyLength;

    /// <summary>
    /// Creates a view; <paramref name="source"/> is enumerated once per cursor. With a positive
    /// <paramref name="historyLength"/> the history columns are vectors of that size (most recent last).
    /// </summary>
    public ImpressionDataView(Func<IEnumerable<ImpressionBatch>> source, long? rowCount = null, int historyLength = 0)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _rowCount = rowCount;
        _historyLength = historyLength;
        Schema = ImpressionColumns.BuildSchema(historyLength);
    }

    /// <summary>The batches behind the view, for code that works block by block.</summary>
    public IEnumerable<ImpressionBatch> Batches() => _source();

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public long? GetRowCount() => _rowCount;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ImpressionDataView _parent;
        private readonly HashSet<int> _active;
        private readonly IEnumerator<ImpressionBatch> _batches;
        private ImpressionBatch? _batch;
        private int _row = -1;
        private long _position = -1;
        private bool _done;

        public Cursor(ImpressionDataView parent, HashSet<int> active)
        {
            _parent = parent;
            _active = active;
            _batches = parent._source().GetEnumerator();
        }

        public override DataViewSchema Schema => _parent.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_done) return false;
            while (_batch == null || ++_row >= _batch.Count)
            {
                if (!_batches.MoveNext()) { _done = true; _batch = null; return false; }
                _batch = _batches.Current;
                _row = -1;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column)) throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            Delegate getter = column.Name switch
            {
                ImpressionColumns.Day => Int((b, r) => b.Day[r]),
                ImpressionColumns.UserId => Int((b, r) => b.UserId[r]),
                ImpressionColumns.ItemId => Int((b, r) => b.ItemId[r]),
                ImpressionColumns.ShopId => Int((b, r) => b.ShopId[r]),
                ImpressionColumns.CategoryId => Int((b, r) => b.CategoryId[r]),
                ImpressionColumns.HistoryItemIds => Vector((b, r) => b.HistoryItemsOf(r)),
                ImpressionColumns.HistoryShopIds => Vector((b, r) => b.HistoryShopsOf(r)),
                ImpressionColumns.HistoryCategoryIds => Vector((b, r) => b.HistoryCategoriesOf(r)),
                ImpressionColumns.Click => Bool((b, r) => b.Click[r]),
                ImpressionColumns.Cart => Bool((b, r) => b.Cart[r]),
                _ => Bool((b, r) => b.Conversion[r]),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
        }

        private ImpressionBatch Current => _batch ?? throw new InvalidOperationException("The cursor is not on a row.");

        private ValueGetter<int> Int(Func<ImpressionBatch, int, int> read) => (ref int value) => value = read(Current, _row);

        private ValueGetter<bool> Bool(Func<ImpressionBatch, int, bool> read) => (ref bool value) => value = read(Current, _row);

        private delegate ReadOnlySpan<int> SpanRead(ImpressionBatch batch, int row);

        private ValueGetter<VBuffer<int>> Vector(SpanRead read) => (ref VBuffer<int> value) =>
        {
            var span = read(Current, _row);
            int length = _parent._historyLength > 0 ? _parent._historyLength : span.Length;
            var editor = VBufferEditor.Create(ref value, length);
            if (_parent._historyLength > 0) HistoryWindow.Fill(span, editor.Values);
            else span.CopyTo(editor.Values);
            value = editor.Commit();
        };

        protected override void Dispose(bool disposing)
        {
            if (disposing) _batches.Dispose();
            base.Dispose(disposing);
        }
    }
}
