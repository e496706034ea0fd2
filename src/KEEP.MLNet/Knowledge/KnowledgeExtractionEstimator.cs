using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// KEEP's knowledge extraction (paper §3.2) as an ML.NET estimator. <c>Fit</c> uses a given model or
/// checkpoint, or pre-trains one on its input (which then needs <c>Day</c> and the three labels);
/// the fitted <see cref="KnowledgeExtractionTransformer"/> adds K_u, K_i and K_ui float-vector columns of
/// fixed sizes. Create it with <c>mlContext.Transforms.KeepKnowledge(...)</c>.
/// </summary>
public sealed class KnowledgeExtractionEstimator : IEstimator<KnowledgeExtractionTransformer>
{
    private readonly KnowledgeExtractionOptions _options;
    private readonly Training.ContextHost _context;
    private readonly int _seed;

    /// <summary>Creates the estimator.</summary>
    public KnowledgeExtractionEstimator(KnowledgeExtractionOptions options) : this(null, options)
    {
    }

    /// <summary>Creates the estimator with the seed (for pre-training on <c>Fit</c>) and log of <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The context; null: KEEP's defaults.</param>
    /// <param name="options">The options.</param>
    public KnowledgeExtractionEstimator(MLContext? mlContext, KnowledgeExtractionOptions options) : this((Microsoft.ML.Runtime.IHostEnvironment?)mlContext, options)
    {
    }

    internal KnowledgeExtractionEstimator(Microsoft.ML.Runtime.IHostEnvironment? environment, KnowledgeExtractionOptions options)
    {
        _context = new Training.ContextHost(environment, "KeepKnowledge");
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (_options.Emit == 0 || (_options.Emit & ~KnowledgeKinds.All) != 0) throw new ArgumentException("Emit must name at least one kind of knowledge.", nameof(options));
        if (_options.BlockSize < 1) throw new ArgumentException("BlockSize must be positive.", nameof(options));
        _options.Pretraining.Validate();
        // Drawn once, here, as the KEEP DNN draws its seed: fitting the same estimator twice gives the same model.
        bool trainsOnFit = _options.Model == null && _options.CheckpointPath == null;
        _seed = trainsOnFit ? _context.Seed(_options.Seed, _options.Pretraining.Seed) : _options.Pretraining.Seed;
    }

    /// <summary>Progress of pre-training when <c>Fit</c> pre-trains.</summary>
    public IProgress<PretrainingProgress>? Progress { get; init; }

    /// <inheritdoc/>
    public KnowledgeExtractionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool owns = _options.Model == null;
        // A given or saved model is resolved first (its options come with it); pre-training starts only
        // after the input has been checked against the options it will train with.
        var model = _options.Model ?? (_options.CheckpointPath != null ? KnowledgeModelFile.LoadCheckpoint(_options.CheckpointPath) : null);
        try
        {
            var columns = new KnowledgeColumns(_options, model?.Options ?? _options.Pretraining);
            columns.ValidateInput(input.Schema);
            model ??= Pretrain(input);
            return new KnowledgeExtractionTransformer(model, columns, Portable(model, columns, input), owns);
        }
        catch
        {
            if (owns) model?.Dispose();
            throw;
        }
    }

    private PretrainedModel Pretrain(IDataView input)
    {
        var options = _options.Pretraining with { Seed = _seed };
        using var channel = _context.Start("Fit");
        Training.ContextHost.Info(channel, $"Pre-training KEEP's knowledge model on Fit's input, seed {options.Seed}.");
        var progress = Training.ContextHost.Traced(channel, Progress, p => $"{p.Rows:N0} rows{(p.TotalRows > 0 ? $" of {p.TotalRows:N0}" : "")}, {p.RowsPerSecond:N0} rows/s");
        var model = new KeepPretrainer(options).Fit(() => DataViewImpressions.Read(input, _options.InputColumns, withLabels: true), progress, _options.Cancellation);
        Training.ContextHost.Info(channel, $"Pre-trained on {model.History.Rows:N0} rows.");
        return model;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var options = ModelOptions();
        var names = _options.InputColumns;
        foreach (string id in names.IdColumns) Require(inputSchema, id, c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Int32, "Int32");
        foreach (string history in names.HistoryColumns)
            Require(inputSchema, history, c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Int32,
                $"a vector of {options.HistoryLength} Int32");
        // The shape ML.NET's ONNX transformer will give, from a network of the same dimensions.
        var empty = new IdVocabulary([]);
        using var probe = new PretrainedModel(options, new FeatureVocabularies(empty, empty, empty, empty),
            Layers.SeededInitialisation.Unseeded(() => new KeepPretrainingModel(new FeatureVocabularies(empty, empty, empty, empty), options)), new TrainingHistory());
        return PortableEstimator(probe, new KnowledgeColumns(_options, options)).GetOutputSchema(inputSchema);
    }

    private static void Require(SchemaShape schema, string name, Func<SchemaShape.Column, bool> ok, string expected)
    {
        var column = schema.FirstOrDefault(c => c.Name == name);
        if (column.Name == null)
            throw new ArgumentException($"Column '{name}' not found; expected {expected}. The input has: {string.Join(", ", schema.Select(c => c.Name))}.", nameof(schema));
        if (!ok(column)) throw new ArgumentException($"Column '{name}' is {column.Kind} of {column.ItemType}; expected {expected}.", nameof(schema));
    }

    /// <summary>The dimensions of the model this estimator will use (from the model, the checkpoint or the pre-training options).</summary>
    internal PretrainingOptions ModelOptions()
        => _options.Model?.Options ?? (_options.CheckpointPath != null ? KnowledgeModelFile.ReadOptions(_options.CheckpointPath) : _options.Pretraining);

    /// <summary>ML.NET's ONNX transformer over the exported network: what the zip stores.</summary>
    private static Microsoft.ML.Transforms.Onnx.OnnxTransformer Portable(PretrainedModel model, KnowledgeColumns columns, IDataView input)
        => PortableEstimator(model, columns).Fit(input);

    private static Microsoft.ML.Transforms.Onnx.OnnxScoringEstimator PortableEstimator(PretrainedModel model, KnowledgeColumns columns)
        => PortableOnnx.Estimator(columns.Options.InputColumns, model.Options.HistoryLength, [.. columns.Selected().Select(c => c.Name)],
            KnowledgeOnnxExporter.Export(model, columns.OnnxNames, columns.TaskIndices), model.Options.Seed);
}
