using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// An IDataView that adds columns computed a block of rows at a time (one network call per block): the
/// input's columns pass through its own cursor, while a second cursor over the id columns runs ahead in
/// blocks. Both cursors see the same rows in the same order, as every IDataView guarantees. Subclasses say
/// how a block is computed and how an added column reads one row of it.
/// </summary>
/// <typeparam name="TBlock">What one computation returns for a block.</typeparam>
internal abstract class BlockMappedDataView<TBlock> : IDataView where TBlock : class
{
    private readonly IDataView _input;
    private readonly ImpressionColumnNames _names;
    private readonly int _blockSize;
    private readonly HashSet<string> _added;

    /// <summary>Creates the view; <paramref name="added"/> lists the columns this view computes (they replace input columns of the same name).</summary>
    protected BlockMappedDataView(IDataView input, ImpressionColumnNames names, int blockSize, DataViewSchema schema, IEnumerable<string> added)
    {
        _input = input;
        _names = names;
        _blockSize = blockSize;
        _added = [.. added];
        Schema = schema;
    }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public long? GetRowCount() => _input.GetRowCount();

    /// <summary>Computes the added columns for a block of rows.</summary>
    protected abstract TBlock Compute(ImpressionBatch rows);

    /// <summary>A getter for added column <paramref name="name"/> that reads the current row of the current block.</summary>
    protected abstract ValueGetter<TValue> Getter<TValue>(string name, Func<(TBlock Block, int Row)> current);

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BlockMappedDataView<TBlock> _view;
        private readonly HashSet<int> _active;
        private readonly DataViewRowCursor _input;
        private readonly IEnumerator<ImpressionBatch>? _ahead;
        private TBlock? _block;
        private int _blockRows;
        private long _blockStart;

        public Cursor(BlockMappedDataView<TBlock> view, HashSet<int> active)
        {
            _view = view;
            _active = active;
            var inputColumns = active.Select(i => view.Schema[i].Name).Where(n => !view._added.Contains(n)).Select(n => view._input.Schema[n]);
            _input = view._input.GetRowCursor(inputColumns);
            if (active.Any(i => view._added.Contains(view.Schema[i].Name)))
                _ahead = DataViewImpressions.Read(view._input, view._names, withLabels: false, view._blockSize).GetEnumerator();
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_input.MoveNext()) return false;
            if (_ahead != null && (_block == null || _input.Position >= _blockStart + _blockRows))
            {
                _blockStart += _blockRows;
                if (!_ahead.MoveNext()) throw new InvalidOperationException("The input data view returned fewer rows to its second cursor than to its first.");
                _blockRows = _ahead.Current.Count;
                _block = _view.Compute(_ahead.Current);
            }
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_view._added.Contains(column.Name)) return _input.GetGetter<TValue>(_view._input.Schema[column.Name]);
            return _view.Getter<TValue>(column.Name,
                () => (_block ?? throw new InvalidOperationException("The cursor is not on a row."), (int)(_input.Position - _blockStart)));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _ahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
