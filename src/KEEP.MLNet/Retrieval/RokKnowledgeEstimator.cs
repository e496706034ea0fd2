using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// ROK (retrieval-oriented knowledge) as an ML.NET estimator. <c>Fit</c> uses a given knowledge base or
/// checkpoint, or trains ROK on its input (rows in day order with <c>Day</c> and the labels: index →
/// teacher → distillation); the fitted <see cref="RokKnowledgeTransformer"/> adds the knowledge columns.
/// Create it with <c>mlContext.Transforms.RokKnowledge(...)</c>.
/// </summary>
public sealed class RokKnowledgeEstimator : IEstimator<RokKnowledgeTransformer>
{
    private readonly RokKnowledgeOptions _options;
    private readonly Training.ContextHost _context;
    private readonly int _seed;

    /// <summary>Creates the estimator.</summary>
    public RokKnowledgeEstimator(RokKnowledgeOptions options) : this(null, options)
    {
    }

    /// <summary>Creates the estimator with the seed (for training on <c>Fit</c>) and log of <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The context; null: KEEP's defaults.</param>
    /// <param name="options">The options.</param>
    public RokKnowledgeEstimator(MLContext? mlContext, RokKnowledgeOptions options) : this((Microsoft.ML.Runtime.IHostEnvironment?)mlContext, options)
    {
    }

    internal RokKnowledgeEstimator(Microsoft.ML.Runtime.IHostEnvironment? environment, RokKnowledgeOptions options)
    {
        _context = new Training.ContextHost(environment, "RokKnowledge");
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (_options.Emit == 0 || (_options.Emit & ~RokKnowledgeKinds.Both) != 0) throw new ArgumentException("Emit must name at least one kind of ROK knowledge.", nameof(options));
        if (_options.BlockSize < 1) throw new ArgumentException("BlockSize must be positive.", nameof(options));
        if (_options.Emit == RokKnowledgeKinds.Both && _options.InstanceColumnName == _options.FieldsColumnName) throw new ArgumentException("InstanceColumnName and FieldsColumnName must differ.", nameof(options));
        _options.Training.Validate();
        // Drawn once, here, as the KEEP DNN draws its seed: fitting the same estimator twice gives the same model.
        bool trainsOnFit = _options.Model == null && _options.CheckpointPath == null;
        _seed = trainsOnFit ? _context.Seed(_options.Seed, _options.Training.Seed) : _options.Training.Seed;
    }

    /// <summary>Progress of training when <c>Fit</c> trains.</summary>
    public IProgress<RokProgress>? Progress { get; init; }

    /// <inheritdoc/>
    public RokKnowledgeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool owns = _options.Model == null;
        var model = _options.Model ?? (_options.CheckpointPath != null ? RokModel.Load(_options.CheckpointPath) : null);
        try
        {
            var columns = new RokKnowledgeColumns(_options, model?.Options ?? _options.Training);
            columns.ValidateInput(input.Schema);
            if (model == null)
            {
                model = Train(input);
            }
            return new RokKnowledgeTransformer(model, columns, PortableEstimator(model, columns).Fit(input), owns);
        }
        catch
        {
            if (owns) model?.Dispose();
            throw;
        }
    }

    private RokModel Train(IDataView input)
    {
        var options = _options.Training with { Seed = _seed };
        using var channel = _context.Start("Fit");
        Training.ContextHost.Info(channel, $"Training ROK on Fit's input, seed {options.Seed}.");
        var progress = Training.ContextHost.Traced(channel, Progress, p => $"{p.Stage}: {p.Rows:N0} rows{(p.TotalRows > 0 ? $" of {p.TotalRows:N0}" : "")}, loss {p.Loss:F4}");
        var training = new RokTrainer(options) { Progress = progress }.Fit(() => DataViewImpressions.Read(input, _options.InputColumns, withLabels: true), _options.Cancellation);
        training.Teacher.Dispose();
        training.Index.Dispose();
        Training.ContextHost.Info(channel, "Trained ROK's knowledge base.");
        return training.Model;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var options = _options.Model?.Options ?? (_options.CheckpointPath != null ? ReadOptions(_options.CheckpointPath) : _options.Training);
        var empty = new IdVocabulary([]);
        var vocabularies = new FeatureVocabularies(empty, empty, empty, empty);
        using var probe = new RokModel(options, vocabularies, Layers.SeededInitialisation.Unseeded(() => new RokKnowledgeBase(vocabularies, options)), new RokHistory());
        return PortableEstimator(probe, new RokKnowledgeColumns(_options, options)).GetOutputSchema(inputSchema);
    }

    private static RokOptions ReadOptions(string path)
    {
        using var model = RokModel.Load(path);
        return model.Options;
    }

    private static OnnxScoringEstimator PortableEstimator(RokModel model, RokKnowledgeColumns columns)
        => PortableOnnx.Estimator(columns.Options.InputColumns, model.Options.HistoryLength, [.. columns.Selected().Select(c => c.Name)],
            RokOnnxExporter.Export(model, columns.OnnxNames, columns.Instance, columns.Fields), model.Options.Seed);
}
