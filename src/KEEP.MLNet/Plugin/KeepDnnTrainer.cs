using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// Trains the downstream KEEP DNN on sub-domain rows: day order, shuffled within each day, Adam, binary
/// cross-entropy on the configured label (conversion and cart over clicked rows). With a knowledge model
/// the plug-in network reads K(u, i), computed for each block on the preparation thread. A previously
/// trained model warm-starts training (paper §3.3): every shared parameter is copied, the plug-in starts at
/// zero, so predictions at step 0 are the old model's.
/// </summary>
public sealed class KeepDnnTrainer
{
    /// <summary>Steps averaged into one point of <see cref="KeepDnn.Losses"/>.</summary>
    public const int LossWindow = 10;

    private readonly KeepDnnOptions _options;

    /// <summary>Creates a trainer.</summary>
    public KeepDnnTrainer(KeepDnnOptions? options = null)
    {
        _options = options ?? new KeepDnnOptions();
        _options.Validate();
    }

    /// <summary>Where to write resume checkpoints while training (base or exact-knowledge DNNs); null writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Rows between resume checkpoints (written at the next loss-window boundary).</summary>
    public long CheckpointEveryRows { get; init; } = 200_000;

    /// <summary>Rows trained so far (over all epochs), the expected total when known, and the recent loss.</summary>
    public IProgress<DownstreamProgress>? Progress { get; init; }

    /// <summary>
    /// Trains on <paramref name="data"/> (called once for the vocabularies unless warm-starting, then once per epoch).
    /// </summary>
    /// <param name="data">Training rows, ordered by day.</param>
    /// <param name="knowledge">Pre-trained knowledge to plug in; null trains the base model.</param>
    /// <param name="warmStart">A trained model to start from; its vocabularies are kept.</param>
    /// <param name="cancellation">Stops training.</param>
    public KeepDnn Fit(Func<IEnumerable<ImpressionBatch>> data, PretrainedModel? knowledge = null, KeepDnn? warmStart = null, CancellationToken cancellation = default)
        => Fit(data, knowledge == null ? null : new ExactKnowledge(knowledge, _options.Knowledge), warmStart, cancellation);

    /// <summary>Trains with knowledge from any source, e.g. compressed knowledge read from a store (paper Table 8).</summary>
    /// <param name="data">Training rows, ordered by day.</param>
    /// <param name="source">Where K(u, i) comes from; null trains the base model.</param>
    /// <param name="warmStart">A trained model to start from; its vocabularies are kept.</param>
    /// <param name="cancellation">Stops training.</param>
    public KeepDnn Fit(Func<IEnumerable<ImpressionBatch>> data, IKnowledgeSource? source, KeepDnn? warmStart = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        long rows = 0;
        FeatureVocabularies vocabularies;
        if (warmStart != null) vocabularies = warmStart.Vocabularies;
        else
        {
            vocabularies = FeatureVocabularies.Build(data(), 1, out rows, out var positives);
            if (rows == 0) throw new ArgumentException("The downstream training data has no rows.", nameof(data));
            positives.RequirePositives(_options.Label, rows, "downstream training");
        }
        int knowledgeDim = source?.Width ?? 0;
        var network = Layers.SeededInitialisation.Create(_options.Seed, () => new KeepDnnModel(vocabularies, _options, knowledgeDim));
        if (warmStart != null) network.CopySharedParameters(warmStart.Network);
        var model = new KeepDnn(_options, vocabularies, network, source, []);
        // A warm start continues the running model's optimizer for the parameters it shares with the new network.
        return Train(model, data, rows, null, warmStart?.OptimizerState, cancellation);
    }

    /// <summary>Trains <paramref name="model"/> further on new rows (incremental, day after day).</summary>
    /// <param name="model">The model to train further; its vocabularies are kept.</param>
    /// <param name="data">The new rows, ordered by day (called once per epoch).</param>
    /// <param name="expectedRows">Rows per epoch, for progress; 0 if unknown.</param>
    /// <param name="cancellation">Stops training.</param>
    public KeepDnn Continue(KeepDnn model, Func<IEnumerable<ImpressionBatch>> data, long expectedRows = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Train(model, data, expectedRows, null, model.OptimizerState, cancellation);
    }

    /// <summary>
    /// Continues a stopped run from its resume checkpoint (<see cref="CheckpointPath"/> of that run) on the same
    /// rows; ends with the model an uninterrupted run ends with.
    /// </summary>
    public KeepDnn Resume(string checkpointPath, Func<IEnumerable<ImpressionBatch>> data, long expectedRows = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(data);
        var resume = DownstreamResumeCheckpoint.Read(checkpointPath);
        var model = resume.Model;
        try
        {
            var saved = model.Options;
            if (saved.Seed != _options.Seed || saved.Epochs != _options.Epochs || saved.BatchSize != _options.BatchSize || saved.LearningRate != _options.LearningRate)
                throw new ArgumentException($"{checkpointPath} was written with seed {saved.Seed}, {saved.Epochs} epochs, batch {saved.BatchSize}, learning rate {saved.LearningRate}; resume with the same options.", nameof(checkpointPath));
            return Train(model, data, expectedRows, resume, null, cancellation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // carried: the optimizer state of the run this one continues (ignored when resuming, whose checkpoint restores the optimizer).
    private KeepDnn Train(KeepDnn model, Func<IEnumerable<ImpressionBatch>> data, long expectedRows,
        ResumeState<KeepDnn, DownstreamResumeCheckpoint.Position>? resume, AdamSlots? carried, CancellationToken cancellation)
    {
        if (CheckpointPath != null && !KeepDnnCheckpoint.CanSave(model))
            throw new NotSupportedException("Resume checkpoints hold the base DNN or one plugged with pre-trained KEEP and/or ROK models; this DNN's knowledge source (e.g. cached knowledge) cannot be checkpointed.");
        var network = model.Network;
        network.train();
        using var optimizer = resume?.RestoreOptimizer(network, _options.LearningRate) ?? TrainingOptimizer.Adam(network, _options.LearningRate, _options.EmbeddingUpdates);
        bool carry = _options.CarryOptimizerState && optimizer is ICarriedOptimizer;
        if (carry && resume == null && carried != null) ((ICarriedOptimizer)optimizer).Import(carried);
        var start = resume?.Position;
        var losses = new List<double>(model.Losses);
        double recent = losses.Count > 0 && start != null ? losses[^1] : double.NaN;
        var outcome = TrainingEngine.Run(new TrainingRun<ImpressionBatch>
        {
            Stage = "downstream training",
            Batches = TrainingOrder.DayShuffled(data, _options.BatchSize, _options.Seed, stream: 11),
            Epochs = _options.Epochs,
            LossWindowSteps = LossWindow,
            ExpectedRowsPerEpoch = expectedRows,
            ResumeFrom = start == null ? null : new TrainingPosition(start.Epoch, start.Steps, 0, start.Rows),
            Progress = ProgressMap.To(Progress, p => new DownstreamProgress(p.Rows, p.TotalRows, p.Losses.Count > 0 ? p.Losses[0] : recent)),
            CheckpointEveryRows = CheckpointEveryRows,
            Checkpoint = CheckpointPath == null ? null : (at, windows) => DownstreamResumeCheckpoint.Write(CheckpointPath, model.With([.. losses, .. windows.Select(w => w.Losses[0])], null),
                optimizer, new DownstreamResumeCheckpoint.Position(at.Epoch, at.StepsInEpoch, at.Rows)),
            Cancellation = cancellation,
        }, new DownstreamStep(model, _options), optimizer);
        network.eval();
        return model.With([.. losses, .. outcome.Windows.Select(w => w.Losses[0])], carry ? ((ICarriedOptimizer)optimizer).Export() : null);
    }

    /// <summary>The KEEP DNN's part of a step: index arrays, labels and (with knowledge) K(u, i) off the training thread; BCE on the label.</summary>
    private sealed class DownstreamStep(KeepDnn model, KeepDnnOptions options) : ITrainingStep<ImpressionBatch, DownstreamBlock>
    {
        public DownstreamBlock Prepare(ImpressionBatch batch) => new(
            ModelInput.From(batch, 0, batch.Count, model.Vocabularies, options.HistoryLength),
            TaskTargets.For(options.Label, batch, 0, batch.Count, withPairs: false),
            model.Knowledge?.Compute(batch));

        public StepLoss? Loss(DownstreamBlock block)
        {
            // A conversion or cart model learns from clicked rows only; a block (a day's last, say) without one has no loss to follow.
            if (block.Targets.Rows.Length == 0) return null;
            var network = model.Network;
            var knowledge = block.Knowledge == null ? null : tensor(block.Knowledge, [block.Input.Rows, network.KnowledgeDim]);
            var logits = network.forward((block.Input.ToTensors(), knowledge));
            var (loss, _, _) = KeepLoss.Task(logits, block.Targets, alpha: 0);
            return new StepLoss(loss, [], block.Input.Rows);
        }
    }

    private sealed record DownstreamBlock(ModelInput Input, TaskTargets Targets, float[]? Knowledge);
}
