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

    /// <summary>Creates the estimator.</summary>
    public RokKnowledgeEstimator(RokKnowledgeOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (_options.Emit == 0 || (_options.Emit & ~RokKnowledgeKinds.Both) != 0) throw new ArgumentException("Emit must name at least one kind of ROK knowledge.", nameof(options));
        if (_options.BlockSize < 1) throw new ArgumentException("BlockSize must be positive.", nameof(options));
        if (_options.Emit == RokKnowledgeKinds.Both && _options.InstanceColumnName == _options.FieldsColumnName) throw new ArgumentException("InstanceColumnName and FieldsColumnName must differ.", nameof(options));
        _options.Training.Validate();
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
                var training = new RokTrainer(_options.Training) { Progress = Progress }.Fit(() => DataViewImpressions.Read(input, _options.InputColumns, withLabels: true));
                training.Teacher.Dispose();
                training.Index.Dispose();
                model = training.Model;
            }
            return new RokKnowledgeTransformer(model, columns, PortableEstimator(model, columns).Fit(input), owns);
        }
        catch
        {
            if (owns) model?.Dispose();
            throw;
        }
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
