using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>The batched result of a ROK transform: the knowledge base computes each block in one call.</summary>
internal sealed class RokKnowledgeDataView : BlockMappedDataView<RokBlock>
{
    private readonly RokModel _model;
    private readonly RokKnowledgeColumns _columns;

    public RokKnowledgeDataView(IDataView input, RokModel model, RokKnowledgeColumns columns)
        : base(input, columns.Options.InputColumns, columns.Options.BlockSize, columns.OutputSchema(input.Schema), columns.Selected().Select(c => c.Name))
    {
        _model = model;
        _columns = columns;
    }

    protected override RokBlock Compute(ImpressionBatch rows) => _model.Compute(rows);

    protected override ValueGetter<TValue> Getter<TValue>(string name, Func<(RokBlock Block, int Row)> current)
    {
        bool instance = name == _columns.Instance;
        int width = instance ? _model.InstanceDim : _model.FieldsDim;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            var (block, row) = current();
            var editor = VBufferEditor.Create(ref value, width);
            (instance ? block.Instance : block.Fields).AsSpan(row * width, width).CopyTo(editor.Values);
            value = editor.Commit();
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{name}' is a float vector, not {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
    }
}
