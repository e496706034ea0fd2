using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Serving;

/// <summary>One row at a time (PredictionEngine): the row's user, item and category ids → three store lookups.</summary>
internal sealed class CachedKnowledgeRowMapper(CachedKnowledgeTransformer transformer, CachedKnowledgeOptions options, DataViewSchema input, DataViewSchema output) : IRowToRowMapper
{
    public DataViewSchema InputSchema => input;
    public DataViewSchema OutputSchema => output;
    private CachedKnowledgeTransformer Transformer => transformer;
    private CachedKnowledgeOptions Options => options;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var names = options.InputColumns;
        bool needsKnowledge = dependingColumns.Any(c => c.Name == options.OutputColumnName);
        var passed = dependingColumns.Where(c => c.Name != options.OutputColumnName).Select(c => input[c.Name]);
        return needsKnowledge ? passed.Concat([input[names.UserId], input[names.ItemId], input[names.CategoryId]]).Distinct() : passed;
    }

    public DataViewRow GetRow(DataViewRow inputRow, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, inputRow, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class Row(CachedKnowledgeRowMapper mapper, DataViewRow inputRow, HashSet<int> active) : DataViewRow
    {
        private long _computedAt = -1;
        private float[] _knowledge = [];

        public override long Position => inputRow.Position;
        public override long Batch => inputRow.Batch;
        public override DataViewSchema Schema => mapper.OutputSchema;
        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);
        public override ValueGetter<DataViewRowId> GetIdGetter() => inputRow.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Name != mapper.Options.OutputColumnName) return inputRow.GetGetter<TValue>(mapper.InputSchema[column.Name]);
            var names = mapper.Options.InputColumns;
            var user = inputRow.GetGetter<int>(mapper.InputSchema[names.UserId]);
            var item = inputRow.GetGetter<int>(mapper.InputSchema[names.ItemId]);
            var category = inputRow.GetGetter<int>(mapper.InputSchema[names.CategoryId]);
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                if (_computedAt != inputRow.Position)
                {
                    int u = 0, i = 0, c = 0;
                    user(ref u);
                    item(ref i);
                    category(ref c);
                    var rows = new ImpressionBatch(1);
                    rows.Add(0, u, i, 0, c, [], [], [], false, false, false);
                    _knowledge = mapper.Transformer.Compute(rows);
                    _computedAt = inputRow.Position;
                }
                var editor = VBufferEditor.Create(ref value, _knowledge.Length);
                _knowledge.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is a float vector, not {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
        }
    }
}
