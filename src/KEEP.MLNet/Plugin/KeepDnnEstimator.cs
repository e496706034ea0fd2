using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The downstream KEEP DNN (paper §3.3) as an ML.NET trainer estimator: <c>Fit</c> trains a DIN-style CTR
/// model on the input rows (which need <c>Day</c> and the three labels; the model predicts
/// <see cref="KeepDnnOptions.Label"/>), with the knowledge of a pre-trained model plugged into dense layer
/// m when one is given, warm-started from a previous model when one is given. Create it with
/// <c>mlContext.BinaryClassification.Trainers.KeepDnn(...)</c>.
/// </summary>
public sealed class KeepDnnEstimator : IEstimator<KeepDnnTransformer>
{
    private readonly KeepDnnOptions _options;
    private readonly IKnowledgeSource? _knowledge;
    private readonly KeepDnn? _warmStart;
    private readonly ImpressionColumnNames _columns;

    /// <summary>Creates the estimator.</summary>
    /// <param name="options">Architecture and training settings.</param>
    /// <param name="knowledge">Pre-trained knowledge to plug in (not disposed); null trains the base model.</param>
    /// <param name="warmStart">A trained model whose parameters start training (not disposed).</param>
    /// <param name="columns">Input column names.</param>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public KeepDnnEstimator(KeepDnnOptions? options = null, PretrainedModel? knowledge = null, KeepDnn? warmStart = null, ImpressionColumnNames? columns = null)
        : this(options, knowledge == null ? null : new ExactKnowledge(knowledge, (options ?? new KeepDnnOptions()).Knowledge), warmStart, columns)
    {
    }

    /// <summary>Creates the estimator with knowledge from any source: KEEP, ROK, both (<see cref="CombinedKnowledge"/>), or a store.</summary>
    /// <param name="options">Architecture and training settings.</param>
    /// <param name="knowledge">Where the plug-in's knowledge comes from (not disposed); null trains the base model.</param>
    /// <param name="warmStart">A trained model whose parameters start training (not disposed).</param>
    /// <param name="columns">Input column names.</param>
    public KeepDnnEstimator(KeepDnnOptions? options, IKnowledgeSource? knowledge, KeepDnn? warmStart = null, ImpressionColumnNames? columns = null)
    {
        _options = options ?? new KeepDnnOptions();
        _options.Validate();
        _knowledge = knowledge;
        _warmStart = warmStart;
        _columns = columns ?? new ImpressionColumnNames();
        if (knowledge is IPortableKnowledge { HistoryLength: int length } && length != _options.HistoryLength)
            throw new ArgumentException($"The knowledge network reads {length} behaviours and the DNN {_options.HistoryLength}; set KeepDnnOptions.HistoryLength to {length}.", nameof(options));
    }

    /// <summary>Rows scored per network call in <c>Transform</c>.</summary>
    public int BlockSize { get; init; } = 2048;

    /// <summary>Progress of training.</summary>
    public IProgress<DownstreamProgress>? Progress { get; init; }

    /// <summary>Where training writes resume checkpoints; null writes none (see <see cref="KeepDnnTrainer.CheckpointPath"/>).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Rows between resume checkpoints.</summary>
    public long CheckpointEveryRows { get; init; } = 200_000;

    /// <summary>Stops training when cancelled.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <inheritdoc/>
    public KeepDnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewImpressions.ValidateFixedLength(input.Schema, _columns, withLabels: true, _options.HistoryLength);
        var model = new KeepDnnTrainer(_options) { Progress = Progress, CheckpointPath = CheckpointPath, CheckpointEveryRows = CheckpointEveryRows }.Fit(() => DataViewImpressions.Read(input, _columns, withLabels: true), _knowledge, _warmStart, Cancellation);
        try
        {
            return KeepDnnTransformer.Create(model, input, _columns, BlockSize);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        // The shape ML.NET's ONNX transformer gives, asked of an untrained network of the same form.
        var empty = new IdVocabulary([]);
        var vocabularies = new FeatureVocabularies(empty, empty, empty, empty);
        var source = _knowledge;
        using var probe = new KeepDnn(_options, vocabularies, Layers.SeededInitialisation.Unseeded(() => new KeepDnnModel(vocabularies, _options, source?.Width ?? 0)), source, []);
        return Portable(probe, _columns).GetOutputSchema(inputSchema);
    }

    /// <summary>ML.NET's ONNX transformer over the exported network, then the scalar score columns: what the zip stores.</summary>
    internal static IEstimator<ITransformer> Portable(KeepDnn model, ImpressionColumnNames columns)
    {
        var names = new KnowledgeOnnxNames(columns.UserId, columns.ItemId, columns.ShopId, columns.CategoryId,
            columns.HistoryItemIds, columns.HistoryShopIds, columns.HistoryCategoryIds, "keep_K_u", "keep_K_i", "keep_K_ui");
        var onnx = PortableOnnx.Estimator(columns, model.Options.HistoryLength, [ScoreColumnsMapping.LogitColumn],
            KeepDnnOnnxExporter.Export(model, names, perRow: true), model.Options.Seed);
        var ml = KeepModel.Register(new MLContext(model.Options.Seed));
        return onnx.Append(ScoreColumnsMapping.Estimator(ml)).Append(ml.Transforms.DropColumns(ScoreColumnsMapping.LogitColumn));
    }
}
