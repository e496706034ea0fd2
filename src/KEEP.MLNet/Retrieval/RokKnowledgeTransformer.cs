using KEEP.MLNet.Data;
using Microsoft.ML;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// Adds ROK knowledge columns (instance-wise <c>ROK</c>, feature-wise <c>ROK_fields</c>) to rows, from the
/// rows' own ids — no retrieval. Batched TorchSharp in <c>Transform</c>; ONNX inside ML.NET's own
/// transformer for <c>PredictionEngine</c> and <c>Save</c>, like KEEP's knowledge transform.
/// </summary>
public sealed class RokKnowledgeTransformer : BatchedTransformer, IDisposable
{
    private readonly RokKnowledgeColumns _columns;
    private readonly bool _ownsModel;

    internal RokKnowledgeTransformer(RokModel model, RokKnowledgeColumns columns, ITransformer portable, bool ownsModel) : base(portable)
    {
        Model = model;
        _columns = columns;
        _ownsModel = ownsModel;
    }

    /// <summary>The knowledge base.</summary>
    public RokModel Model { get; }

    private protected override void Validate(DataViewSchema input) => _columns.ValidateInput(input);

    private protected override DataViewSchema OutputSchema(DataViewSchema input) => _columns.OutputSchema(input);

    private protected override IDataView Batched(IDataView input) => new RokKnowledgeDataView(input, Model, _columns);

    /// <summary>Releases the knowledge base if this transformer loaded or trained it.</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
