using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The downstream KEEP DNN (paper §3.3) as an ML.NET binary trainer: <c>Fit</c> trains a DIN-style CTR model on the
/// input rows (the id and behaviour columns, the Boolean label column <see cref="Options.LabelColumnName"/>, and
/// <c>Day</c> when present, for the day order), with the knowledge of a pre-trained model plugged into dense layer m
/// when one is given, warm-started from a previous model when one is given. It adds <c>Score</c>, <c>Probability</c>
/// and <c>PredictedLabel</c> as ML.NET's calibrated binary classifiers do (other names through
/// <see cref="Options.ScoreColumnName"/> and its siblings). Create it with
/// <c>mlContext.BinaryClassification.Trainers.KeepDnn(...)</c>: the context's seed (when <see cref="Options.Seed"/> is
/// not set) and its log reach the trainer.
/// </summary>
public sealed class KeepDnnEstimator : IEstimator<KeepDnnTransformer>
{
    /// <summary>Everything <see cref="KeepDnnEstimator"/> takes, in ML.NET's trainer-options form.</summary>
    public sealed class Options
    {
        /// <summary>The Boolean label column; null: the input column of <see cref="KeepDnnOptions.Label"/> (<c>Click</c> by default).</summary>
        public string? LabelColumnName { get; set; }
        /// <summary>The column of the logit the trainer adds.</summary>
        public string ScoreColumnName { get; set; } = KeepDnnColumns.Score;
        /// <summary>The column of the probability the trainer adds.</summary>
        public string ProbabilityColumnName { get; set; } = KeepDnnColumns.Probability;
        /// <summary>The Boolean column the trainer adds (probability &gt; 0.5).</summary>
        public string PredictedLabelColumnName { get; set; } = KeepDnnColumns.PredictedLabel;
        /// <summary>The id, behaviour and day columns the model reads (the feature columns).</summary>
        public ImpressionColumnNames InputColumns { get; set; } = new();
        /// <summary>Architecture and training settings of the network.</summary>
        public KeepDnnOptions Network { get; set; } = new();
        /// <summary>Rows per step (<see cref="KeepDnnOptions.BatchSize"/>).</summary>
        public int BatchSize { get => Network.BatchSize; set => Network = Network with { BatchSize = value }; }
        /// <summary>Passes over the training rows (<see cref="KeepDnnOptions.Epochs"/>).</summary>
        public int Epochs { get => Network.Epochs; set => Network = Network with { Epochs = value }; }
        /// <summary>Adam learning rate (<see cref="KeepDnnOptions.LearningRate"/>).</summary>
        public double LearningRate { get => Network.LearningRate; set => Network = Network with { LearningRate = value }; }
        /// <summary>Seed of initialisation and shuffling; null: drawn from the <c>MLContext</c>'s seed (or <see cref="KeepDnnOptions.Seed"/> without a context).</summary>
        public int? Seed { get; set; }
        /// <summary>Pre-trained knowledge to plug in (not disposed): <see cref="ExactKnowledge"/>, ROK, combined or cached; null trains the base model.</summary>
        public IKnowledgeSource? Knowledge { get; set; }
        /// <summary>A trained model whose parameters start training (not disposed); the plug-in starts at zero.</summary>
        public KeepDnn? WarmStart { get; set; }
        /// <summary>Where training writes resume checkpoints; null writes none (see <see cref="KeepDnnTrainer.CheckpointPath"/>).</summary>
        public string? CheckpointPath { get; set; }
        /// <summary>Rows between resume checkpoints.</summary>
        public long CheckpointEveryRows { get; set; } = 200_000;
        /// <summary>Rows scored per network call in <c>Transform</c>.</summary>
        public int BlockSize { get; set; } = 2048;
        /// <summary>Progress of training (also written to the context's log).</summary>
        public IProgress<DownstreamProgress>? Progress { get; set; }
        /// <summary>Stops training when cancelled.</summary>
        public CancellationToken Cancellation { get; set; }
    }

    private readonly KeepDnnOptions _options;
    private readonly IKnowledgeSource? _knowledge;
    private readonly KeepDnn? _warmStart;
    private readonly ImpressionColumnNames _columns;
    private readonly string _label;
    private readonly Training.ContextHost _context;

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
        : this(null, TrainerOptions(options ?? new KeepDnnOptions(), knowledge, warmStart, columns))
    {
    }

    private static Options TrainerOptions(KeepDnnOptions network, IKnowledgeSource? knowledge, KeepDnn? warmStart, ImpressionColumnNames? columns)
        => new() { Network = network, Knowledge = knowledge, WarmStart = warmStart, InputColumns = columns ?? new ImpressionColumnNames(), Seed = network.Seed };

    /// <summary>Creates the estimator from trainer options, with the seed and log of <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The context whose seed (when <see cref="Options.Seed"/> is null) and log the trainer uses; null: none.</param>
    /// <param name="options">The trainer options.</param>
    public KeepDnnEstimator(MLContext? mlContext, Options options)
        : this((Microsoft.ML.Runtime.IHostEnvironment?)mlContext, options)
    {
    }

    internal KeepDnnEstimator(Microsoft.ML.Runtime.IHostEnvironment? environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _context = new Training.ContextHost(environment, "KeepDnn");
        int seed = _context.Seed(options.Seed, options.Network.Seed);
        _options = options.Network with { Seed = seed };
        _options.Validate();
        _knowledge = options.Knowledge;
        _warmStart = options.WarmStart;
        _columns = options.InputColumns ?? throw new ArgumentNullException(nameof(options), "InputColumns must not be null.");
        _label = options.LabelColumnName ?? _columns.LabelColumn(SlotOf(_options.Label));
        if (options.BlockSize < 1) throw new ArgumentException("BlockSize must be positive.", nameof(options));
        OutputColumns = new ScoreColumnNames(options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
        OutputColumns.Validate();
        BlockSize = options.BlockSize;
        Progress = options.Progress;
        CheckpointPath = options.CheckpointPath;
        CheckpointEveryRows = options.CheckpointEveryRows;
        Cancellation = options.Cancellation;
        if (_knowledge is IPortableKnowledge { HistoryLength: int length } && length != _options.HistoryLength)
            throw new ArgumentException($"The knowledge network reads {length} behaviours and the DNN {_options.HistoryLength}; set KeepDnnOptions.HistoryLength to {length}.", nameof(options));
    }

    private static ImpressionLabel SlotOf(PretrainingTask task) => task switch
    {
        PretrainingTask.Click => ImpressionLabel.Click,
        PretrainingTask.Cart => ImpressionLabel.Cart,
        _ => ImpressionLabel.Conversion,
    };

    /// <summary>The label column the trainer reads.</summary>
    public string LabelColumnName => _label;

    /// <summary>The names of the columns the trained transformer adds.</summary>
    public ScoreColumnNames OutputColumns { get; } = ScoreColumnNames.Default;

    /// <summary>The seed training uses (from the options or drawn from the context).</summary>
    public int Seed => _options.Seed;

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
        DataViewImpressions.ValidateSingleLabel(input.Schema, _columns, _label, _options.HistoryLength);
        using var channel = _context.Start("Fit");
        Training.ContextHost.Info(channel, $"Training a KEEP DNN on label '{_label}' ({(_knowledge == null ? "no knowledge" : $"knowledge of width {_knowledge.Width}")}), seed {_options.Seed}.");
        var progress = Training.ContextHost.Traced(channel, Progress, p => $"{p.Rows:N0} rows{(p.TotalRows > 0 ? $" of {p.TotalRows:N0}" : "")}, loss {p.Loss:F4}");
        var model = new KeepDnnTrainer(_options) { Progress = progress, CheckpointPath = CheckpointPath, CheckpointEveryRows = CheckpointEveryRows }
            .Fit(() => DataViewImpressions.ReadSingleLabel(input, _columns, SlotOf(_options.Label), _label), _knowledge, _warmStart, Cancellation);
        try
        {
            Training.ContextHost.Info(channel, $"Trained: final loss {(model.Losses.Count > 0 ? model.Losses[^1] : double.NaN):F4}.");
            return KeepDnnTransformer.Create(model, input, _columns, BlockSize, OutputColumns);
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
        return Portable(probe, _columns, OutputColumns).GetOutputSchema(inputSchema);
    }

    /// <summary>ML.NET's ONNX transformer over the exported network, then the scalar score columns: what the zip stores.</summary>
    internal static IEstimator<ITransformer> Portable(KeepDnn model, ImpressionColumnNames columns, ScoreColumnNames outputs)
    {
        var names = new KnowledgeOnnxNames(columns.UserId, columns.ItemId, columns.ShopId, columns.CategoryId,
            columns.HistoryItemIds, columns.HistoryShopIds, columns.HistoryCategoryIds, "keep_K_u", "keep_K_i", "keep_K_ui");
        var onnx = PortableOnnx.Estimator(columns, model.Options.HistoryLength, [ScoreColumnsMapping.LogitColumn],
            KeepDnnOnnxExporter.Export(model, names, perRow: true), model.Options.Seed);
        var ml = KeepModel.Register(new MLContext(model.Options.Seed));
        if (outputs != ScoreColumnNames.Default) return onnx.Append(StagedScoreColumnsMapping.Estimator(ml, outputs));
        return onnx.Append(ScoreColumnsMapping.Estimator(ml)).Append(ml.Transforms.DropColumns(ScoreColumnsMapping.LogitColumn));
    }
}
