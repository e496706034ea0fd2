using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// Adds KEEP knowledge columns (K_u, K_i, K_ui) to rows. <see cref="Transform"/> computes blocks of rows
/// at once with the TorchSharp network (fast, for training downstream models and batch extraction);
/// <see cref="GetRowToRowMapper"/> (PredictionEngine) and <c>Save</c> use the same network exported
/// to ONNX inside ML.NET's own ONNX transformer, so <c>mlContext.Model.Save</c> writes a zip that plain
/// <c>mlContext.Model.Load</c> reads back in any process, with identical knowledge (to float rounding).
/// </summary>
public sealed class KnowledgeExtractionTransformer : ITransformer, IDisposable
{
    private readonly KnowledgeColumns _columns;
    private readonly ITransformer _portable;
    private readonly bool _ownsModel;

    internal KnowledgeExtractionTransformer(PretrainedModel model, KnowledgeColumns columns, ITransformer portable, bool ownsModel)
    {
        Model = model;
        _columns = columns;
        _portable = portable;
        _ownsModel = ownsModel;
    }

    /// <summary>The knowledge model.</summary>
    public PretrainedModel Model { get; }

    /// <summary>The built-in ML.NET transformer (ONNX) this transformer saves as.</summary>
    public ITransformer PortableTransformer => _portable;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _columns.ValidateInput(inputSchema);
        return _columns.OutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        _columns.ValidateInput(input.Schema);
        return new KnowledgeDataView(input, Model, _columns);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        _columns.ValidateInput(inputSchema);
        return _portable.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as the portable ONNX transformer (all ML.NET needs to load it back).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _portable.Save(ctx);

    /// <summary>Releases the network if this transformer loaded or trained it.</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
