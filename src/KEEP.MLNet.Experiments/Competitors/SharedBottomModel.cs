using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Experiments.Competitors;

/// <summary>
/// A trained <see cref="SharedBottomNetwork"/>: trained on the super- and the sub-domain of the same days
/// (the paper's cross-domain setting), scoring rows with the sub-domain's tower.
/// </summary>
internal sealed class SharedBottomModel : IDisposable
{
    private readonly FeatureVocabularies _vocabularies;
    private readonly SharedBottomNetwork _network;
    private readonly KeepDnnOptions _options;

    private SharedBottomModel(FeatureVocabularies vocabularies, SharedBottomNetwork network, KeepDnnOptions options)
        => (_vocabularies, _network, _options) = (vocabularies, network, options);

    /// <summary>Rows trained on, per domain (super, sub).</summary>
    public (long Super, long Sub) Rows { get; private set; }

    /// <summary>
    /// Trains through the training engine, one pass in day order: each domain's rows shuffled within the day
    /// into blocks of one domain (its tower's click BCE), the two domains' blocks of a day interleaved at random.
    /// The vocabularies cover both domains.
    /// </summary>
    public static SharedBottomModel Fit(Func<IEnumerable<ImpressionBatch>> super, Func<IEnumerable<ImpressionBatch>> sub, KeepDnnOptions options,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(super);
        ArgumentNullException.ThrowIfNull(sub);
        ArgumentNullException.ThrowIfNull(options);
        var model = Untrained(super, sub, options);
        var (network, vocabularies) = (model._network, model._vocabularies);
        network.train();
        using var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, options.EmbeddingUpdates);
        long superRows = 0, subRows = 0;
        var step = TrainingStep.From<(ImpressionBatch Batch, int Domain), Block>(
            b => new Block(ModelInput.From(b.Batch, 0, b.Batch.Count, vocabularies, options.HistoryLength),
                TaskTargets.For(PretrainingTask.Click, b.Batch, 0, b.Batch.Count, withPairs: false), b.Domain),
            block =>
            {
                var logits = network.forward((block.Input.ToTensors(), block.Domain));
                var (loss, _, _) = KeepLoss.Task(logits, block.Targets, alpha: 0);
                if (block.Domain == SharedBottomNetwork.Sub) subRows += block.Input.Rows;
                else superRows += block.Input.Rows;
                return new StepLoss(loss, [], block.Input.Rows);
            });
        TrainingEngine.Run(new TrainingRun<(ImpressionBatch, int)>
        {
            Stage = "shared-bottom cross-domain training",
            Batches = _ => Interleaved(
                TrainingOrder.DayShuffled(super, options.BatchSize, options.Seed, stream: 12)(0),
                TrainingOrder.DayShuffled(sub, options.BatchSize, options.Seed, stream: 13)(0),
                new SeededRandom(options.Seed, 14)),
            Cancellation = cancellation,
        }, step, optimizer);
        network.eval();
        model.Rows = (superRows, subRows);
        return model;
    }

    /// <summary>The seeded network before training, over the vocabularies of both domains (what <see cref="Fit"/> starts from).</summary>
    internal static SharedBottomModel Untrained(Func<IEnumerable<ImpressionBatch>> super, Func<IEnumerable<ImpressionBatch>> sub, KeepDnnOptions options)
    {
        var vocabularies = FeatureVocabularies.Build(DayOrderedMerge.Merge(super(), sub()), 1, out long rows);
        if (rows == 0) throw new ArgumentException("The cross-domain training data has no rows.", nameof(super));
        return new SharedBottomModel(vocabularies, Layers.SeededInitialisation.Create(options.Seed, () => new SharedBottomNetwork(vocabularies, options)), options);
    }

    /// <summary>The network (for tests of what training touched).</summary>
    internal SharedBottomNetwork Network => _network;

    /// <summary>Click probabilities of the rows by the sub-domain's tower.</summary>
    public float[] Predict(ImpressionBatch batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = ModelInput.From(batch, 0, batch.Count, _vocabularies, _options.HistoryLength);
        return _network.forward((input.ToTensors(), SharedBottomNetwork.Sub)).sigmoid().data<float>().ToArray();
    }

    /// <summary>
    /// The blocks of both day-ordered streams, day by day; within a day the two domains' blocks in a random
    /// order (so each day's steps mix the domains in proportion to their rows).
    /// </summary>
    internal static IEnumerable<(ImpressionBatch Batch, int Domain)> Interleaved(IEnumerable<ImpressionBatch> super, IEnumerable<ImpressionBatch> sub, SeededRandom random)
    {
        using var a = super.GetEnumerator();
        using var b = sub.GetEnumerator();
        bool hasA = a.MoveNext(), hasB = b.MoveNext();
        var day = new List<(ImpressionBatch, int)>();
        while (hasA || hasB)
        {
            int current = Math.Min(hasA ? a.Current.Day[0] : int.MaxValue, hasB ? b.Current.Day[0] : int.MaxValue);
            while (hasA && a.Current.Day[0] == current) { day.Add((a.Current, SharedBottomNetwork.Super)); hasA = a.MoveNext(); }
            while (hasB && b.Current.Day[0] == current) { day.Add((b.Current, SharedBottomNetwork.Sub)); hasB = b.MoveNext(); }
            var order = Enumerable.Range(0, day.Count).ToArray();
            random.Shuffle(order.AsSpan());
            foreach (int i in order) yield return day[i];
            day.Clear();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _network.Dispose();

    private sealed record Block(ModelInput Input, TaskTargets Targets, int Domain);
}
