using KEEP.MLNet.Data;

namespace KEEP.MLNet.Serving;

/// <summary>What <see cref="CachedKnowledgeTransformer"/> does when the store cannot be reached.</summary>
public enum StoreFailurePolicy
{
    /// <summary>Throw <see cref="KnowledgeStoreUnavailableException"/> naming the store.</summary>
    Throw,
    /// <summary>Serve zero knowledge for the affected rows, counted in <see cref="CachedKnowledgeTransformer.FallbackRows"/>.</summary>
    ZeroKnowledge,
}

/// <summary>Options of <c>mlContext.Transforms.KeepCachedKnowledge</c>.</summary>
public sealed class CachedKnowledgeOptions
{
    /// <summary>The store: a folder (file store) or <c>redis://host:port[/prefix]</c>.</summary>
    public required string Store { get; set; }
    /// <summary>The version to read; the transformer stays pinned to it.</summary>
    public required string Version { get; set; }
    /// <summary>Which compressed knowledge forms the column (paper Table 8; Eq. 6 by default).</summary>
    public CachedKnowledgeLayout Layout { get; set; } = CachedKnowledgeLayout.Combined;
    /// <summary>The float-vector column added.</summary>
    public string OutputColumnName { get; set; } = "K_cached";
    /// <summary>Input column names (user, item and category ids are read).</summary>
    public ImpressionColumnNames InputColumns { get; set; } = new();
    /// <summary>Rows looked up per batch in <c>Transform</c>.</summary>
    public int BlockSize { get; set; } = 4096;
    /// <summary>What to do when the store is down.</summary>
    public StoreFailurePolicy OnStoreUnavailable { get; set; } = StoreFailurePolicy.Throw;
    /// <summary>
    /// Copy the version's tables into the transformer (small catalogues): no store at prediction time, and
    /// the transformer saves into a model zip (as an ONNX lookup network) and loads anywhere.
    /// </summary>
    public bool Embed { get; set; }
    /// <summary>Most entries (N_u + N_i + N_uc) <see cref="Embed"/> accepts.</summary>
    public long MaxEmbeddedEntries { get; set; } = EmbeddedKnowledge.DefaultMaxEntries;
}
