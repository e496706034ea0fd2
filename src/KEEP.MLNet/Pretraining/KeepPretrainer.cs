using System.Diagnostics;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
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
    /// Builds vocabularies from <paramref name="data"/> (one pass), then trains a new model on it (a second
    /// pass). <paramref name="data"/> is called once per pass and must yield the same rows each time.
    /// </summary>
    public PretrainedModel Fit(Func<IEnumerable<ImpressionBatch>> data, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var model = Initialise(data, out long rows);
        try
        {
            return Train(model, data(), rows, progress, Checkpoints(), null, cancellation);
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
        var (model, position, optimizer) = ResumeCheckpoint.Read(checkpointPath);
        try
        {
            ConfigureTorch(model.Options);
            return Train(model, data(), expectedRows, progress, Checkpoints(checkpointPath), (position, optimizer), cancellation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
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
    {
        ArgumentNullException.ThrowIfNull(model);
        ConfigureTorch(model.Options);
        return Train(model, data, expectedRows, progress, null, null, cancellation);
    }

    private static void ConfigureTorch(PretrainingOptions options)
        => set_num_threads(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);

    /// <summary>
    /// Trains on the day-ordered stream; with <paramref name="resume"/>, starts after the position a checkpoint
    /// recorded (its blocks are skipped unprepared) with the optimizer state it saved.
    /// </summary>
    private static PretrainedModel Train(PretrainedModel model, IEnumerable<ImpressionBatch> data, long expectedRows,
        IProgress<PretrainingProgress>? progress, (string Path, long EveryRows)? checkpoints,
        (ResumeCheckpoint.Position Position, byte[] Optimizer)? resume, CancellationToken cancellation)
    {
        var options = model.Options;
        var network = model.Network;
        network.train();
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        if (resume is { Optimizer: var state }) optimizer.load_state_dict(new BinaryReader(new MemoryStream(state)));
        // Counters of this call start from the checkpoint's; the history is the one this call started with.
        var start = resume?.Position;
        var history = start?.StartHistory ?? model.History;
        var losses = new List<LossPoint>(model.History.Losses);
        var shuffle = new SeededRandom(options.Seed + (start?.ShuffleBase ?? history.Steps), stream: 10);
        var window = new double[options.Tasks.Count];
        int windowSteps = 0;
        long rows = start?.Rows ?? 0, steps = start?.Steps ?? 0, truncated = start?.Truncated ?? 0, checkpointRows = rows;
        int lastDay = model.History.LastDay;
        var clock = Stopwatch.StartNew();

        var prepared = DayShuffler.Batches(data, options.BatchSize, shuffle).Skip(checked((int)steps)).Select(batch => PreparedBatch.From(batch, model.Vocabularies, options));
        BackgroundPreparation.Run(prepared, batch =>
        {
            using (var scope = NewDisposeScope())
            {
                var output = network.forward(batch.Input.ToTensors());
                Tensor total = zeros(1, dtype: ScalarType.Float32).sum();
                for (int t = 0; t < options.Tasks.Count; t++)
                {
                    var (taskLoss, _, _) = KeepLoss.Task(output.Logits[t], batch.Targets[t], options.PairwiseWeight);
                    total = total + taskLoss;
                    window[t] += taskLoss.item<float>();
                }
                optimizer.zero_grad();
                total.backward();
                optimizer.step();
            }
            rows += batch.Input.Rows;
            truncated += batch.Input.TruncatedBehaviours;
            lastDay = Math.Max(lastDay, batch.Day);
            steps++;
            windowSteps++;
            if (steps % options.ProgressInterval == 0)
            {
                var mean = window.Select(w => w / windowSteps).ToArray();
                losses.Add(new LossPoint(history.Steps + steps, history.Rows + rows, mean));
                Array.Clear(window);
                windowSteps = 0;
                Report(progress, rows, expectedRows, steps, clock.Elapsed, mean);
                if (checkpoints is { } c && rows - checkpointRows >= c.EveryRows)
                {
                    checkpointRows = rows;
                    var sofar = new PretrainedModel(options, model.Vocabularies, network, Updated(history, rows, steps, lastDay, truncated, losses));
                    ResumeCheckpoint.Write(c.Path, sofar, optimizer, new ResumeCheckpoint.Position(history.Steps, steps, rows, truncated, history));
                }
            }
        }, cancellation);

        if (windowSteps > 0)
        {
            var mean = window.Select(w => w / windowSteps).ToArray();
            losses.Add(new LossPoint(history.Steps + steps, history.Rows + rows, mean));
            Report(progress, rows, expectedRows, steps, clock.Elapsed, mean);
        }
        network.eval();
        return new PretrainedModel(options, model.Vocabularies, network, Updated(history, rows, steps, lastDay, truncated, losses));
    }

    private static TrainingHistory Updated(TrainingHistory start, long rows, long steps, int lastDay, long truncated, List<LossPoint> losses) => start with
    {
        Rows = start.Rows + rows,
        Steps = start.Steps + steps,
        LastDay = lastDay,
        TruncatedBehaviours = start.TruncatedBehaviours + truncated,
        Losses = [.. losses],
    };

    private static void Report(IProgress<PretrainingProgress>? progress, long rows, long expected, long steps, TimeSpan elapsed, double[] losses)
    {
        if (progress == null) return;
        double speed = rows / Math.Max(elapsed.TotalSeconds, 1e-9);
        var remaining = expected > rows ? TimeSpan.FromSeconds((expected - rows) / Math.Max(speed, 1e-9)) : TimeSpan.Zero;
        progress.Report(new PretrainingProgress(rows, Math.Max(expected, rows), steps, speed, remaining, losses));
    }

    /// <summary>A block ready for a step: index arrays and per-task targets, built off the training thread.</summary>
    private sealed record PreparedBatch(ModelInput Input, TaskTargets[] Targets, int Day)
    {
        public static PreparedBatch From(ImpressionBatch batch, FeatureVocabularies vocabularies, PretrainingOptions options)
            => new(ModelInput.From(batch, 0, batch.Count, vocabularies, options.HistoryLength),
                options.Tasks.Select(t => TaskTargets.For(t, batch, 0, batch.Count, withPairs: options.PairwiseWeight > 0)).ToArray(),
                batch.Day[batch.Count - 1]);
    }
}
