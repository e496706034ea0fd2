using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained KEEP DNN as an ML.NET transformer: adds <c>Score</c> (logit), <c>Probability</c> and
/// <c>PredictedLabel</c>, like ML.NET's calibrated binary classifiers. <see cref="Transform"/> scores blocks
/// of rows with the TorchSharp network; <see cref="GetRowToRowMapper"/> (PredictionEngine) and <c>Save</c>
/// use the same network — with its knowledge subgraph when plugged — exported to ONNX inside ML.NET's own
/// ONNX transformer, so a saved zip loads with plain <c>mlContext.Model.Load</c> in any process.
/// </summary>
public sealed class KeepDnnTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _portable;
    private readonly ImpressionColumnNames _columns;
    private readonly int _blockSize;

    internal KeepDnnTransformer(KeepDnn model, ImpressionColumnNames columns, ITransformer portable, int blockSize)
    {
        Model = model;
        _columns = columns;
        _portable = portable;
        _blockSize = blockSize;
    }

    /// <summary>The trained network (for <see cref="KeepDnnTrainer.Continue"/> or warm-starting another model).</summary>
    public KeepDnn Model { get; }

    /// <summary>The built-in ML.NET transformer (ONNX) this transformer saves as.</summary>
    public ITransformer PortableTransformer => _portable;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Validate(inputSchema);
        return KeepDnnColumns.OutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input.Schema);
        return new KeepDnnDataView(input, Model, _columns, _blockSize);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        Validate(inputSchema);
        return _portable.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as the portable ONNX transformer (all ML.NET needs to load it back).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _portable.Save(ctx);

    private void Validate(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        DataViewImpressions.ValidateFixedLength(schema, _columns, withLabels: false, Model.Options.HistoryLength);
    }

    /// <summary>Releases the network (not the knowledge model, which the caller owns).</summary>
    public void Dispose() => Model.Dispose();
}
