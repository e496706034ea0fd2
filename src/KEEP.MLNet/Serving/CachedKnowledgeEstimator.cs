using Microsoft.ML;

namespace KEEP.MLNet.Serving;

/// <summary>
/// Creates <see cref="CachedKnowledgeTransformer"/>: opens the store and pins the version (which must exist).
/// Create it with <c>mlContext.Transforms.KeepCachedKnowledge(options)</c>.
/// </summary>
public sealed class CachedKnowledgeEstimator(CachedKnowledgeOptions options) : IEstimator<CachedKnowledgeTransformer>
{
    private readonly CachedKnowledgeOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc/>
    public CachedKnowledgeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_options.BlockSize < 1) throw new ArgumentException("BlockSize must be positive.", nameof(input));
        if (_options.Embed) return Embedded(input);
        var store = KnowledgeStore.Open(_options.Store);
        try
        {
            var transformer = new CachedKnowledgeTransformer(store, new CachedKnowledge(store, _options.Version, _options.Layout), _options);
            transformer.GetOutputSchema(input.Schema);
            return transformer;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>A transformer over a copy of the version's tables, saved as an ONNX lookup network.</summary>
    private CachedKnowledgeTransformer Embedded(IDataView input)
    {
        EmbeddedKnowledge embedded;
        using (var store = KnowledgeStore.Open(_options.Store)) embedded = EmbeddedKnowledge.FromStore(store, _options.Version, _options.Layout, _options.MaxEmbeddedEntries);
        var (memory, lookups) = embedded.Parts;
        var transformer = new CachedKnowledgeTransformer(memory, lookups, _options);
        transformer.GetOutputSchema(input.Schema);
        var portable = Knowledge.Onnx.PortableOnnx.Estimator(_options.InputColumns, null, [_options.OutputColumnName], embedded.Export(_options.InputColumns, _options.OutputColumnName), 0).Fit(input);
        return transformer.WithPortable(portable);
    }

    /// <summary>The input plus the knowledge vector, whose width is read from the store's version.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        int width;
        using (var store = KnowledgeStore.Open(_options.Store)) width = new CachedKnowledge(store, _options.Version, _options.Layout).Width;
        // ML.NET's own estimators describe "a Single vector of this width": a float copy of the user id concatenated width times.
        const string Probe = "__keep_cached_width";
        var ml = new MLContext(0);
        return ml.Transforms.Conversion.ConvertType(Probe, _options.InputColumns.UserId, Microsoft.ML.Data.DataKind.Single)
            .Append(ml.Transforms.Concatenate(_options.OutputColumnName, [.. Enumerable.Repeat(Probe, width)]))
            .Append(ml.Transforms.DropColumns(Probe))
            .GetOutputSchema(inputSchema);
    }
}
