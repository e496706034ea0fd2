using System.Security.Cryptography;
using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Serving;

/// <summary>Where a <see cref="ServedModel"/> reads cached knowledge from: one store, one pinned version.</summary>
public sealed record ServedKnowledgeOptions
{
    /// <summary>The store: a folder (file store) or <c>redis://host:port[/prefix]</c> (call <c>RedisKnowledgeStore.Register()</c> first).</summary>
    public required string Store { get; init; }
    /// <summary>The version the model was trained with; the model stays pinned to it.</summary>
    public required string Version { get; init; }
    /// <summary>Which compressed knowledge the model's <c>K_cached</c> column holds (Eq. 6 by default).</summary>
    public CachedKnowledgeLayout Layout { get; init; } = CachedKnowledgeLayout.Combined;
    /// <summary>The column the model reads the knowledge from.</summary>
    public string OutputColumnName { get; init; } = "K_cached";
    /// <summary>What to do when the store is down.</summary>
    public StoreFailurePolicy OnStoreUnavailable { get; init; } = StoreFailurePolicy.Throw;
}

/// <summary>
/// A saved model zip loaded once for serving, optionally behind cached knowledge read from a pinned store
/// version (models trained on <c>KeepCachedKnowledge</c>, whose knowledge is not inside the zip), with what
/// identifies it: the file, its SHA-256 and the knowledge version. Score through <see cref="CreatePool{TInput, TOutput}"/>.
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly ITransformer _model;
    private readonly CachedKnowledgeTransformer? _knowledge;
    private readonly List<IDisposable> _pools = [];

    private ServedModel(MLContext mlContext, ITransformer model, CachedKnowledgeTransformer? knowledge, string path, DataViewSchema inputSchema, ServedKnowledgeOptions? knowledgeOptions)
    {
        MLContext = mlContext;
        _model = model;
        _knowledge = knowledge;
        Transformer = knowledge == null ? model : new TransformerChain<ITransformer>(knowledge, model);
        ModelPath = path;
        using (var file = File.OpenRead(path)) ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        InputSchema = inputSchema;
        HistoryLength = KeepModel.HistoryLengthOf(inputSchema);
        KnowledgeStore = knowledgeOptions?.Store;
        KnowledgeVersion = knowledgeOptions?.Version;
    }

    /// <summary>Loads <paramref name="modelPath"/> (any ML.NET zip; KEEP's mappings registered) and, when given, pins the knowledge store version in front of it.</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not an ML.NET model zip.</exception>
    /// <exception cref="KnowledgeVersionNotFoundException">The store does not have the version.</exception>
    /// <exception cref="KnowledgeStoreUnavailableException">The store cannot be reached.</exception>
    public static ServedModel Load(string modelPath, ServedKnowledgeOptions? knowledge = null, MLContext? mlContext = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var ml = mlContext ?? new MLContext(1);
        string path = Path.GetFullPath(modelPath);
        var model = KeepModel.Load(ml, path, out var schema);
        CachedKnowledgeTransformer? cached = null;
        try
        {
            if (knowledge != null)
            {
                var options = new CachedKnowledgeOptions { Store = knowledge.Store, Version = knowledge.Version, Layout = knowledge.Layout, OutputColumnName = knowledge.OutputColumnName, OnStoreUnavailable = knowledge.OnStoreUnavailable };
                cached = ml.Transforms.KeepCachedKnowledge(options).Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImpressionInput>()));
            }
            return new ServedModel(ml, model, cached, path, schema, knowledge);
        }
        catch
        {
            cached?.Dispose();
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The context the model was loaded with.</summary>
    public MLContext MLContext { get; }

    /// <summary>The cached-knowledge lookup (when a store is given) followed by the model.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The model file, full path.</summary>
    public string ModelPath { get; }

    /// <summary>SHA-256 of the model file, lower-case hex: what identifies the served model.</summary>
    public string ModelSha256 { get; }

    /// <summary>The input schema saved with the model.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Behaviours per row the model reads (50 when the schema does not say).</summary>
    public int HistoryLength { get; }

    /// <summary>The knowledge store read at prediction time; null when the model carries its knowledge or has none.</summary>
    public string? KnowledgeStore { get; }

    /// <summary>The pinned knowledge version; null without a store.</summary>
    public string? KnowledgeVersion { get; }

    /// <summary>Rows served zero knowledge because the store was down (<see cref="StoreFailurePolicy.ZeroKnowledge"/>).</summary>
    public long KnowledgeFallbackRows => _knowledge?.FallbackRows ?? 0;

    /// <summary>A pool of engines over this model (the pool does not own the model; this object does, and disposes the pool with it).</summary>
    /// <param name="maxRetained">Idle engines kept; null: twice the processor count.</param>
    public PredictionPool<TInput, TOutput> CreatePool<TInput, TOutput>(int? maxRetained = null)
        where TInput : class
        where TOutput : class, new()
    {
        var pool = new PredictionPool<TInput, TOutput>(MLContext, Transformer, ownsModel: false, maxRetained);
        lock (_pools) _pools.Add(pool);
        return pool;
    }

    /// <summary>Disposes the pools, the knowledge lookup and the model.</summary>
    public void Dispose()
    {
        lock (_pools)
        {
            foreach (var pool in _pools) pool.Dispose();
            _pools.Clear();
        }
        _knowledge?.Dispose();
        (_model as IDisposable)?.Dispose();
    }
}
