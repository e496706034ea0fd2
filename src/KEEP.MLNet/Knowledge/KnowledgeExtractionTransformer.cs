using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// Adds KEEP knowledge columns (K_u, K_i, K_ui) to rows. <c>Transform</c> computes blocks of rows at once
/// with the TorchSharp network (fast, for training downstream models and batch extraction);
/// <c>GetRowToRowMapper</c> (PredictionEngine) and <c>Save</c> use the same network exported to ONNX inside
/// ML.NET's own ONNX transformer, so <c>mlContext.Model.Save</c> writes a zip that plain
/// <c>mlContext.Model.Load</c> reads back in any process, with identical knowledge (to float rounding).
/// </summary>
public sealed class KnowledgeExtractionTransformer : BatchedTransformer, IDisposable
{
    private readonly KnowledgeColumns _columns;
    private readonly bool _ownsModel;

    internal KnowledgeExtractionTransformer(PretrainedModel model, KnowledgeColumns columns, ITransformer portable, bool ownsModel) : base(portable)
    {
        Model = model;
        _columns = columns;
        _ownsModel = ownsModel;
    }

    /// <summary>The knowledge model.</summary>
    public PretrainedModel Model { get; }

    private protected override void Validate(DataViewSchema input) => _columns.ValidateInput(input);

    private protected override DataViewSchema OutputSchema(DataViewSchema input) => _columns.OutputSchema(input);

    private protected override IDataView Batched(IDataView input) => new KnowledgeDataView(input, Model, _columns);

    /// <summary>Releases the network if this transformer loaded or trained it.</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
