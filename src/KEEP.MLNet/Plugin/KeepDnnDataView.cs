using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Plugin;

/// <summary>The batched result of a KEEP DNN transform: the network scores each block of rows in one call.</summary>
internal sealed class KeepDnnDataView(IDataView input, KeepDnn model, ImpressionColumnNames names, ScoreColumnNames outputs, int blockSize)
    : BlockMappedDataView<float[]>(input, names, blockSize, KeepDnnColumns.OutputSchema(input.Schema, outputs), outputs.All)
{
    protected override float[] Compute(ImpressionBatch rows) => model.Logits(rows);

    protected override ValueGetter<TValue> Getter<TValue>(string name, Func<(float[] Block, int Row)> current)
    {
        Delegate getter = name == outputs.ScoreColumnName
            ? (ValueGetter<float>)((ref float value) => { var (logits, row) = current(); value = logits[row]; })
            : name == outputs.ProbabilityColumnName
                ? (ValueGetter<float>)((ref float value) => { var (logits, row) = current(); value = KeepDnnColumns.Sigmoid(logits[row]); })
                : (ValueGetter<bool>)((ref bool value) => { var (logits, row) = current(); value = KeepDnnColumns.Sigmoid(logits[row]) > 0.5f; });
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{name}' cannot be read as {KEEP.MLNet.Data.TypeNames.Of(typeof(TValue))}.");
    }
}
