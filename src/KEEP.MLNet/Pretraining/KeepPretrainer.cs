using KEEP.MLNet.Data;
using KEEP.MLNet.Training;
using KEEP.MLNet.Training.Distributed;
using static TorchSharp.torch;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// Trains KEEP's knowledge-extraction model (paper §3.2): one pass over super-domain rows in day order,
/// shuffled within each day, Adam, per-task BCE + α·pairwise loss. Data streams in: one day is buffered
/// for the shuffle, and the next block's index arrays are prepared on a second thread while the current
/// block trains.
/// </summary>
public sealed class KeepPretrainer
{
    private readonly PretrainingOptions _options;

    /// <summary>Creates a trainer with the given settings (the paper's by default).</summary>
    public KeepPretrainer(PretrainingOptions? options = null)
    {
        _options = options ?? new PretrainingOptions();
        _options.Validate();
    }

    /// <summary>
    /// Where to write resume checkpoints (<see cref="ResumeCheckpoint"/>) while training; null writes none.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Rows between resume checkpoints (written at the next loss-window boundary).</summary>
    public long CheckpointEveryRows { get; init; } = 200_000;

    /// <summary>
    /// The ranks of a data-parallel run across processes (KEEP.MLNet.Mpi's <c>MpiCommunicator</c> under <c>mpiexec</c>);
    /// null, or a single rank, trains in this process alone. With N ranks every rank reads the same rows in the same
    /// day-shuffled order and trains on its 1/N of each block of <see cref="PretrainingOptions.BatchSize"/> rows (the
    /// block over all ranks, so N ranks follow the single-process run with the same batch size); the dense gradients
    /// are summed over the ranks and every embedding table is sharded by row (row id on rank id mod N), so no rank
    /// holds a whole table while training. Every rank returns the whole trained model; resume checkpoints are written
    /// whole by rank 0 (call <see cref="Fit"/> or <see cref="Resume"/> on every rank with the same arguments). A rank
    /// that throws must end the job (<c>MpiCommunicator.Abort</c>), or the others wait in their next collective call.
    /// </summary>
    public ICommunicator? Communicator { get; init; }

    /// <summary>
    /// Builds vocabularies from <paramref name="data"/> (one pass), then trains a new model on it (a second
    /// pass). <paramref name="data"/> is called once per pass and must yield the same rows each time.
    /// </summary>
    public PretrainedModel Fit(Func<IEnumerable<ImpressionBatch>> data, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var model = Initialise(data, out long rows);
        try
        {
            RequireSameData(model.Vocabularies, rows);
            return Train(model, data(), rows, progress, Checkpoints(), null, Communicator, cancellation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The model <see cref="Fit"/> starts from: vocabularies of <paramref name="data"/> (one pass) and the seeded
    /// initial weights, with no training step. A control for experiments: what a plug-in gains from knowledge
    /// of an untrained network (extra capacity, random projections of the ids) rather than from pre-training.
    /// </summary>
    public PretrainedModel Untrained(Func<IEnumerable<ImpressionBatch>> data) => Initialise(data, out _);

    private PretrainedModel Initialise(Func<IEnumerable<ImpressionBatch>> data, out long rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        var vocabularies = FeatureVocabularies.Build(data(), _options.MinIdCount, out rows, out var positives);
        if (rows == 0) throw new ArgumentException("The pre-training data has no rows.", nameof(data));
        positives.RequirePositives(PretrainingTask.Click, rows, "pre-training");
        ConfigureTorch(_options);
        var network = Layers.SeededInitialisation.Create(_options.Seed, () => new KeepPretrainingModel(vocabularies, _options));
        return new PretrainedModel(_options, vocabularies, network, new TrainingHistory());
    }

    /// <summary>
    /// Continues a run that stopped (killed, cancelled) from its resume checkpoint: same model, optimizer
    /// state and position in the shuffled stream of <paramref name="data"/>, which must be the rows the run
    /// was training on. The result equals that of an uninterrupted run with the same seed.
    /// </summary>
    public PretrainedModel Resume(string checkpointPath, Func<IEnumerable<ImpressionBatch>> data, long expectedRows = 0,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(data);
        var resume = ResumeCheckpoint.Read(checkpointPath);
        try
        {
            ConfigureTorch(resume.Model.Options);
            return Train(resume.Model, data(), expectedRows, progress, Checkpoints(checkpointPath), resume, Communicator, cancellation);
        }
        catch
        {
            resume.Model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// With several ranks, checks that every rank counted the same rows and ids (each rank read the same data), so
    /// that they build the same network; every rank throws the same error otherwise.
    /// </summary>
    private void RequireSameData(FeatureVocabularies vocabularies, long rows)
    {
        if (Communicator is not { Size: > 1 } ranks) return;
        long[] mine = [rows, vocabularies.Users.Size, vocabularies.Items.Size, vocabularies.Shops.Size, vocabularies.Categories.Size];
        var all = ranks.AllGather(mine, out _);
        for (int r = 0; r < ranks.Size; r++)
            if (!all.AsSpan(r * mine.Length, mine.Length).SequenceEqual(all.AsSpan(0, mine.Length)))
                throw new ArgumentException($"The ranks read different data: rank 0 counted {all[0]:N0} rows and {all[1]:N0}/{all[2]:N0}/{all[3]:N0}/{all[4]:N0} user/item/shop/category ids, "
                    + $"rank {r} {all[r * mine.Length]:N0} rows and {all[r * mine.Length + 1]:N0}/{all[r * mine.Length + 2]:N0}/{all[r * mine.Length + 3]:N0}/{all[r * mine.Length + 4]:N0}; every rank must read the same rows.");
    }

    private (string Path, long EveryRows)? Checkpoints(string? path = null)
    {
        path ??= CheckpointPath;
        if (path == null) return null;
        if (CheckpointEveryRows <= 0) throw new ArgumentException($"CheckpointEveryRows must be positive (got {CheckpointEveryRows}).");
        return (path, CheckpointEveryRows);
    }

    /// <summary>
    /// Continues training <paramref name="model"/> on new rows (e.g. the next days), keeping its vocabularies:
    /// ids it has not seen use the out-of-vocabulary row. Returns the same model, updated.
    /// </summary>
    public static PretrainedModel Continue(PretrainedModel model, IEnumerable<ImpressionBatch> data, long expectedRows = 0,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
        => Continue(model, data, null, expectedRows, progress, cancellation);

    /// <summary>
    /// <see cref="Continue(PretrainedModel, IEnumerable{ImpressionBatch}, long, IProgress{PretrainingProgress}?, CancellationToken)"/>
    /// as one rank of a job of <paramref name="communicator"/>'s ranks (each holding the same model and reading the same
    /// rows; see <see cref="Communicator"/>); null trains in this process alone.
    /// </summary>
    public static PretrainedModel Continue(PretrainedModel model, IEnumerable<ImpressionBatch> data, ICommunicator? communicator, long expectedRows = 0,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ConfigureTorch(model.Options);
        return Train(model, data, expectedRows, progress, null, null, communicator, cancellation);
    }

    private static void ConfigureTorch(PretrainingOptions options)
        => set_num_threads(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);

    /// <summary>
    /// Trains on the day-ordered stream through the training engine; with <paramref name="resume"/>, starts after
    /// the position a checkpoint recorded (its blocks are skipped unprepared) with the optimizer state it saved;
    /// with a <paramref name="communicator"/> of several ranks, on this rank's share of every block.
    /// </summary>
    private static PretrainedModel Train(PretrainedModel model, IEnumerable<ImpressionBatch> data, long expectedRows,
        IProgress<PretrainingProgress>? progress, (string Path, long EveryRows)? checkpoints,
        ResumeState<PretrainedModel, ResumeCheckpoint.Position>? resume, ICommunicator? communicator, CancellationToken cancellation)
    {
        var options = model.Options;
        var network = model.Network;
        var ranks = communicator is { Size: > 1 } ? communicator : null;
        if (ranks != null && options.BatchSize < ranks.Size)
            throw new ArgumentException($"Pre-training option BatchSize ({options.BatchSize}) is the block over all ranks and must be at least the number of ranks ({ranks.Size}).");
        network.train();
        using var optimizer = resume?.RestoreOptimizer(network, options.LearningRate, ranks) ?? TrainingOptimizer.Adam(network, options.LearningRate, options.EmbeddingUpdates, ranks);
        var sharded = optimizer as ShardedRowwiseAdam;
        // A continuation in one process continues the optimizer the model ended with (sharded runs start theirs afresh).
        var carried = options.CarryOptimizerState ? optimizer as ICarriedOptimizer : null;
        if (carried != null && resume == null && model.OptimizerState != null) carried.Import(model.OptimizerState);
        // Counters of this call start from the checkpoint's; the history is the one this call started with.
        var start = resume?.Position;
        var history = start?.StartHistory ?? model.History;
        var step = new PretrainingStep(model, start?.Truncated ?? 0, ranks);
        var losses = new List<LossPoint>(model.History.Losses);
        IEnumerable<LossPoint> Points(IReadOnlyList<LossWindow> windows)
            => windows.Select(w => new LossPoint(history.Steps + w.Step, history.Rows + w.Rows, w.Losses.Skip(1).ToArray()));
        var outcome = TrainingEngine.Run(new TrainingRun<ImpressionBatch>
        {
            Stage = "pre-training",
            Batches = TrainingOrder.DayShuffled(() => data, options.BatchSize, options.Seed + (start?.ShuffleBase ?? history.Steps), stream: 10),
            LossWindowSteps = options.ProgressInterval,
            ExpectedRowsPerEpoch = expectedRows,
            ResumeFrom = start == null ? null : new TrainingPosition(0, start.Steps, start.Steps, start.Rows),
            Progress = ProgressMap.To(progress, p => new PretrainingProgress(p.Rows, p.TotalRows, p.Step, p.RowsPerSecond, p.Remaining, p.Losses.Skip(1).ToArray())),
            CheckpointEveryRows = checkpoints?.EveryRows ?? 1,
            Checkpoint = checkpoints is not { Path: var path } ? null : (at, windows) =>
            {
                long truncated = step.TotalTruncated();
                var sofar = new PretrainedModel(options, model.Vocabularies, network, Updated(history, at.Rows, at.Steps, step.LastDay, truncated, [.. losses, .. Points(windows)]));
                var position = new ResumeCheckpoint.Position(history.Steps, at.Steps, at.Rows, truncated, history);
                if (sharded == null) ResumeCheckpoint.Write(path, sofar, optimizer, position);
                else sharded.WithWholeTables(root: 0, writeOptimizer => ResumeCheckpoint.Write(path, sofar, optimizer.Kind, writeOptimizer, position));
            },
            Cancellation = cancellation,
        }, step, optimizer);
        sharded?.AssembleTables();
        network.eval();
        var end = outcome.End;
        return new PretrainedModel(options, model.Vocabularies, network, Updated(history, end.Rows, end.Steps, step.LastDay, step.TotalTruncated(), [.. losses, .. Points(outcome.Windows)]))
            { OptimizerState = carried?.Export() };
    }

    private static TrainingHistory Updated(TrainingHistory start, long rows, long steps, int lastDay, long truncated, List<LossPoint> losses) => start with
    {
        Rows = start.Rows + rows,
        Steps = start.Steps + steps,
        LastDay = lastDay,
        TruncatedBehaviours = start.TruncatedBehaviours + truncated,
        Losses = [.. losses],
    };

    /// <summary>
    /// The network's part of a pre-training step: a block becomes index arrays and per-task targets off the
    /// training thread; its loss is the sum over tasks of BCE + α·pairwise (each task's loss is recorded). With
    /// <paramref name="ranks"/>, the network runs on this rank's share of the block and the loss over the whole block
    /// is computed from every rank's logits (<see cref="GatheredRows"/>).
    /// </summary>
    private sealed class PretrainingStep(PretrainedModel model, long truncated, ICommunicator? ranks) : ITrainingStep<ImpressionBatch, PreparedBatch>
    {
        private readonly PretrainingOptions _options = model.Options;
        private long _truncatedHere;

        /// <summary>Behaviours truncated so far (including those before a resume), over all ranks: a collective call with ranks.</summary>
        public long TotalTruncated()
        {
            if (ranks == null) return truncated + _truncatedHere;
            var sum = new[] { _truncatedHere };
            ranks.SumInPlace(sum);
            return truncated + sum[0];
        }

        /// <summary>The last day trained on.</summary>
        public int LastDay { get; private set; } = model.History.LastDay;

        public PreparedBatch Prepare(ImpressionBatch batch) => PreparedBatch.From(batch, model.Vocabularies, _options, ranks);

        public StepLoss? Loss(PreparedBatch batch)
        {
            var output = model.Network.forward(batch.Input.ToTensors());
            var logits = ranks == null ? output.Logits : Gathered(output.Logits, ranks);
            var parts = new Tensor[_options.Tasks.Count];
            for (int t = 0; t < parts.Length; t++) (parts[t], _, _) = KeepLoss.Task(logits[t], batch.Targets[t], _options.PairwiseWeight);
            _truncatedHere += batch.Input.TruncatedBehaviours;
            LastDay = Math.Max(LastDay, batch.Day);
            return new StepLoss(parts.Aggregate((a, b) => a.Plus(b)), parts, batch.Rows);
        }

        /// <summary>Every rank's logits of each task, in rank order: the whole block's.</summary>
        private static Tensor[] Gathered(Tensor[] logits, ICommunicator ranks)
        {
            var all = GatheredRows.Of(stack(logits, 1), ranks);
            return [.. Enumerable.Range(0, logits.Length).Select(t => all.select(1, t))];
        }
    }

    /// <summary>
    /// A block ready for a step, built off the training thread: the index arrays of this rank's share of its rows
    /// (all of them in a single process) and per-task targets of the whole block.
    /// </summary>
    private sealed record PreparedBatch(ModelInput Input, TaskTargets[] Targets, int Day, int Rows)
    {
        public static PreparedBatch From(ImpressionBatch batch, FeatureVocabularies vocabularies, PretrainingOptions options, ICommunicator? ranks)
        {
            var (start, count) = ranks == null ? (0, batch.Count) : Share(batch.Count, ranks.Rank, ranks.Size);
            return new(ModelInput.From(batch, start, count, vocabularies, options.HistoryLength),
                options.Tasks.Select(t => TaskTargets.For(t, batch, 0, batch.Count, withPairs: options.PairwiseWeight > 0)).ToArray(),
                batch.Day[batch.Count - 1], batch.Count);
        }

        /// <summary>Rank r's rows of a block of n: [⌊n·r/N⌋, ⌊n·(r+1)/N⌋), contiguous and in rank order.</summary>
        private static (int Start, int Count) Share(int rows, int rank, int ranks)
        {
            int start = (int)((long)rows * rank / ranks), end = (int)((long)rows * (rank + 1) / ranks);
            return (start, end - start);
        }
    }
}
