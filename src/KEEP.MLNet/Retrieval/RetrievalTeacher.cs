using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Training;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// A trained retrieval-augmented CTR model: every prediction first retrieves k earlier rows from the
/// <see cref="SampleIndex"/>, then attends over them. It is the quality ceiling ROK imitates, and the cost
/// ROK avoids (retrieval per row at inference).
/// </summary>
public sealed class RetrievalTeacher : IDisposable
{
    internal RetrievalTeacher(RokOptions options, FeatureVocabularies vocabularies, RetrievalTeacherNetwork network, SampleIndex index, IReadOnlyList<double> losses)
    {
        Options = options;
        Vocabularies = vocabularies;
        Network = network;
        Index = index;
        Losses = losses;
    }

    /// <summary>The settings.</summary>
    public RokOptions Options { get; }
    /// <summary>The vocabularies (built from the indexed rows).</summary>
    public FeatureVocabularies Vocabularies { get; }
    internal RetrievalTeacherNetwork Network { get; }
    /// <summary>The rows retrieved from (not owned).</summary>
    public SampleIndex Index { get; }
    /// <summary>Mean click loss per window of training steps.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>
    /// Trains the teacher on <paramref name="data"/> (the indexed rows, in day order), each row attending over
    /// rows retrieved from earlier days.
    /// </summary>
    public static RetrievalTeacher Fit(SampleIndex index, Func<IEnumerable<ImpressionBatch>> data, RokOptions? options = null,
        IProgress<RokProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new RokOptions();
        options.Validate();
        var vocabularies = FeatureVocabularies.Build(data(), 1, out long rows);
        var network = Layers.SeededInitialisation.Create(options.Seed, () => new RetrievalTeacherNetwork(vocabularies, options));
        try
        {
            network.train();
            using var optimizer = TrainingOptimizer.Adam(network, options.LearningRate, EmbeddingUpdates.DenseAdam);
            var outcome = TrainingEngine.Run(options.TrainingRun("teacher", data, rows, options.TeacherEpochs, progress, cancellation), TrainingStep.From(
                (ImpressionBatch batch) => (Input: ModelInput.From(batch, 0, batch.Count, vocabularies, options.HistoryLength),
                    Retrieved: RetrievedFeatures.From(index.Search(batch), index, vocabularies), Clicks: Clicks(batch)),
                block =>
                {
                    var (logit, _) = network.forward((block.Input.ToTensors(), block.Retrieved.ToTensors()));
                    var loss = nn.functional.binary_cross_entropy_with_logits(logit, tensor(block.Clicks));
                    return new StepLoss(loss, [], block.Input.Rows);
                }), optimizer);
            var windows = outcome.Windows.Select(w => w.Losses).ToList();
            network.eval();
            return new RetrievalTeacher(options, vocabularies, network, index, [.. windows.Select(w => w[0])]);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Click probability of every row (retrieval included).</summary>
    public float[] Predict(ImpressionBatch batch) => Run(batch, (logit, _) => logit.sigmoid());

    /// <summary>The aggregated representation R of every row, row-major [rows × RepresentationDim] (retrieval included).</summary>
    public float[] Represent(ImpressionBatch batch) => Run(batch, (_, representation) => representation);

    /// <summary>
    /// The rows of <paramref name="batch"/> that retrieve at least one earlier row, with their representations
    /// (rows with nothing to retrieve, e.g. of the first day, have R = 0 and teach nothing); null if none do.
    /// </summary>
    internal (ImpressionBatch Rows, float[] Representation)? RepresentCovered(ImpressionBatch batch)
    {
        var found = Index.Search(batch);
        var kept = Enumerable.Range(0, batch.Count).Where(r => found.RowsOf(r)[0] >= 0).ToList();
        if (kept.Count == 0) return null;
        var covered = new ImpressionBatch(kept.Count);
        foreach (int r in kept) covered.AddRow(batch, r);
        return (covered, Run(covered, found.Select(kept), (_, representation) => representation));
    }

    private float[] Run(ImpressionBatch batch, Func<Tensor, Tensor, Tensor> pick)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Run(batch, Index.Search(batch), pick);
    }

    /// <summary>The network over rows whose retrieval is already done.</summary>
    private float[] Run(ImpressionBatch batch, RetrievedRows found, Func<Tensor, Tensor, Tensor> pick)
    {
        var retrieved = RetrievedFeatures.From(found, Index, Vocabularies);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (logit, representation) = Network.forward((ModelInput.From(batch, 0, batch.Count, Vocabularies, Options.HistoryLength).ToTensors(), retrieved.ToTensors()));
        return pick(logit, representation).contiguous().data<float>().ToArray();
    }

    internal static float[] Clicks(ImpressionBatch batch)
    {
        var clicks = new float[batch.Count];
        for (int r = 0; r < clicks.Length; r++) clicks[r] = batch.Click[r] ? 1 : 0;
        return clicks;
    }

    /// <summary>Releases the network (not the index).</summary>
    public void Dispose() => Network.Dispose();
}
