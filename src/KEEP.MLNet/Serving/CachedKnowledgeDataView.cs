using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Serving;

/// <summary>The batched result of a cached-knowledge transform: one set of store lookups per block of rows.</summary>
internal sealed class CachedKnowledgeDataView(IDataView input, CachedKnowledgeTransformer transformer, CachedKnowledgeOptions options, DataViewSchema schema)
    : BlockMappedDataView<float[]>(input, options.InputColumns, options.BlockSize, schema, [options.OutputColumnName])
{
    protected override float[] Compute(ImpressionBatch rows) => transformer.Compute(rows);

    protected override ValueGetter<TValue> Getter<TValue>(string name, Func<(float[] Block, int Row)> current)
    {
        int width = transformer.Source.Width;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            var (block, row) = current();
            var editor = VBufferEditor.Create(ref value, width);
            block.AsSpan(row * width, width).CopyTo(editor.Values);
            value = editor.Commit();
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{name}' is a float vector, not {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
    }
}
