using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// A transformer with two faces of one network: <see cref="Transform"/> computes blocks of rows at once
/// with TorchSharp (fast), while <see cref="GetRowToRowMapper"/> (PredictionEngine) and <c>Save</c> use
/// <see cref="PortableTransformer"/>, built-in ML.NET transformers over the same network exported to ONNX,
/// so that plain <c>mlContext.Model.Load</c> reads the saved zip in any process.
/// </summary>
public abstract class BatchedTransformer : ITransformer
{
    private protected BatchedTransformer(ITransformer portable) => PortableTransformer = portable;

    /// <summary>The built-in ML.NET transformer(s) this transformer saves as.</summary>
    public ITransformer PortableTransformer { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Validate(inputSchema);
        return OutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input.Schema);
        return Batched(input);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Validate(inputSchema);
        return PortableTransformer.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as the portable transformer (all ML.NET needs to load it back).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => PortableTransformer.Save(ctx);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first input column that does not fit.</summary>
    private protected abstract void Validate(DataViewSchema input);

    /// <summary>The input schema plus the added columns.</summary>
    private protected abstract DataViewSchema OutputSchema(DataViewSchema input);

    /// <summary>The batched view of <paramref name="input"/>.</summary>
    private protected abstract IDataView Batched(IDataView input);
}
