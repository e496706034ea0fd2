using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Serving;

/// <summary>
/// Adds compressed KEEP knowledge read from a knowledge store (the paper's General Knowledge Center) as one
/// float-vector column, pinned to one version: batched lookups in <see cref="Transform"/>, one row at a time
/// for <c>PredictionEngine</c>. No pre-trained network runs. The store is read at prediction time, so the
/// transformer is not saved into a model zip: save the downstream model alone and put this transform in
/// front of it when serving — unless the tables were embedded (<see cref="CachedKnowledgeOptions.Embed"/>),
/// which makes it self-contained and saveable.
/// </summary>
public sealed class CachedKnowledgeTransformer : ITransformer, IDisposable
{
    private readonly IKnowledgeStore _store;
    private readonly CachedKnowledgeOptions _options;
    private ITransformer? _portable;
    private long _fallbackRows;

    internal CachedKnowledgeTransformer(IKnowledgeStore store, CachedKnowledge source, CachedKnowledgeOptions options)
    {
        _store = store;
        Source = source;
        _options = options;
    }

    /// <summary>The lookups (counts of keys looked up and missed).</summary>
    public CachedKnowledge Source { get; }

    /// <summary>Rows served zero knowledge because the store was unavailable (with <see cref="StoreFailurePolicy.ZeroKnowledge"/>).</summary>
    public long FallbackRows => Interlocked.Read(ref _fallbackRows);

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        DataViewImpressions.Validate(inputSchema, _options.InputColumns, withLabels: false);
        return AddedColumns.Schema(inputSchema, (_options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, Source.Width)));
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CachedKnowledgeDataView(input, this, _options, GetOutputSchema(input.Schema));
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new CachedKnowledgeRowMapper(this, _options, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Saves the embedded tables (with <see cref="CachedKnowledgeOptions.Embed"/>); a store-backed transformer is not saved.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        if (_portable == null)
            throw new NotSupportedException($"Cached knowledge is read from {_store.Location} at prediction time and is not saved in a model zip; save the downstream model alone and apply KeepCachedKnowledge in front of it when serving, or set CachedKnowledgeOptions.Embed for a small catalogue.");
        _portable.Save(ctx);
    }

    /// <summary>Whether the knowledge is embedded (the transformer saves and needs no store).</summary>
    public bool IsSelfContained => _portable != null;

    internal CachedKnowledgeTransformer WithPortable(ITransformer portable)
    {
        _portable = portable;
        return this;
    }

    /// <summary>K(u, i) for a block of rows; zeros for the block when the store is down and the policy allows it.</summary>
    internal float[] Compute(ImpressionBatch rows)
    {
        try
        {
            return Source.Compute(rows);
        }
        catch (KnowledgeStoreUnavailableException) when (_options.OnStoreUnavailable == StoreFailurePolicy.ZeroKnowledge)
        {
            Interlocked.Add(ref _fallbackRows, rows.Count);
            return new float[rows.Count * Source.Width];
        }
    }

    /// <summary>Closes the store connection.</summary>
    public void Dispose() => _store.Dispose();
}
