using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>The batched result of a knowledge transform: the network computes each block's knowledge in one call.</summary>
internal sealed class KnowledgeDataView : BlockMappedDataView<KnowledgeBlock>
{
    private readonly PretrainedModel _model;
    private readonly KnowledgeColumns _columns;

    public KnowledgeDataView(IDataView input, PretrainedModel model, KnowledgeColumns columns)
        : base(input, columns.Options.InputColumns, columns.Options.BlockSize, columns.OutputSchema(input.Schema), columns.Selected().Select(c => c.Name))
    {
        _model = model;
        _columns = columns;
    }

    protected override KnowledgeBlock Compute(ImpressionBatch rows) => _model.Extract(rows);

    protected override ValueGetter<TValue> Getter<TValue>(string name, Func<(KnowledgeBlock Block, int Row)> current)
    {
        var (kind, _, width) = _columns.Selected().First(c => c.Name == name);
        var towers = _columns.TaskIndices;
        int tower = _columns.Model.TowerLayers[^1], all = tower * _columns.Model.Tasks.Count;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            var (block, row) = current();
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
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{name}' is a float vector, not {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
    }
}
