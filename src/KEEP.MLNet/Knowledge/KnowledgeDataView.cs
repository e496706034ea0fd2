using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// The batched result of a knowledge transform: the input's columns pass through its own cursor, while a
/// second cursor over the id columns runs ahead in blocks and the network computes each block's knowledge
/// in one call. Both cursors see the same rows in the same order, as every IDataView guarantees.
/// </summary>
internal sealed class KnowledgeDataView : IDataView
{
    private readonly IDataView _input;
    private readonly PretrainedModel _model;
    private readonly KnowledgeColumns _columns;

    public KnowledgeDataView(IDataView input, PretrainedModel model, KnowledgeColumns columns)
    {
        _input = input;
        _model = model;
        _columns = columns;
        Schema = columns.OutputSchema(input.Schema);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly KnowledgeDataView _view;
        private readonly HashSet<int> _active;
        private readonly DataViewRowCursor _input;
        private readonly IEnumerator<ImpressionBatch>? _ahead;
        private KnowledgeBlock? _block;
        private long _blockStart;

        public Cursor(KnowledgeDataView view, HashSet<int> active)
        {
            _view = view;
            _active = active;
            // Knowledge columns replace any input column of the same name; every other active column comes from the input.
            var inputColumns = active.Select(i => view.Schema[i].Name).Where(n => !IsKnowledge(n))
                .Select(n => view._input.Schema[n]);
            _input = view._input.GetRowCursor(inputColumns);
            if (active.Any(i => IsKnowledge(view.Schema[i].Name)))
                _ahead = DataViewImpressions.Read(view._input, view._columns.Options.InputColumns, withLabels: false, view._columns.Options.BlockSize).GetEnumerator();
        }

        private bool IsKnowledge(string name) => _view._columns.Selected().Any(c => c.Name == name);

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_input.MoveNext()) return false;
            if (_ahead != null && (_block == null || _input.Position >= _blockStart + _block.Rows))
            {
                if (_block != null) _blockStart += _block.Rows;
                if (!_ahead.MoveNext()) throw new InvalidOperationException("The input data view returned fewer rows to its second cursor than to its first.");
                _block = _view._model.Extract(_ahead.Current);
            }
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            foreach (var (kind, name, width) in _view._columns.Selected())
            {
                if (name != column.Name) continue;
                var towers = _view._columns.TaskIndices;
                int tower = _view._columns.Model.TowerLayers[^1], all = tower * _view._columns.Model.Tasks.Count;
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    var block = _block ?? throw new InvalidOperationException("The cursor is not on a row.");
                    int row = (int)(_input.Position - _blockStart);
                    var editor = VBufferEditor.Create(ref value, width);
                    if (kind == KnowledgeKinds.Interaction)
                    {
                        for (int k = 0; k < towers.Count; k++)
                            block.Interaction.AsSpan(row * all + towers[k] * tower, tower).CopyTo(editor.Values.Slice(k * tower, tower));
                    }
                    else
                    {
                        (kind == KnowledgeKinds.User ? block.User : block.Item).AsSpan(row * width, width).CopyTo(editor.Values);
                    }
                    value = editor.Commit();
                };
                return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{name}' is a float vector, not {typeof(TValue).Name}.");
            }
            return _input.GetGetter<TValue>(_view._input.Schema[column.Name]);
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
