namespace KEEP.MLNet.Retrieval;

/// <summary>
/// Settings of ROK (retrieval-oriented knowledge): the sample retriever, the retrieval-augmented teacher it
/// feeds and the knowledge base distilled from the teacher.
/// </summary>
public sealed record RokOptions
{
    /// <summary>Sample retrieval (k, tokens, BM25).</summary>
    public RetrievalOptions Retrieval { get; init; } = new();
    /// <summary>Width of every id embedding (user, item, shop, category) in the teacher and the knowledge base.</summary>
    public int EmbeddingDim { get; init; } = 16;
    /// <summary>Width of the teacher's aggregated representation, which the knowledge base reconstructs (instance-wise knowledge).</summary>
    public int RepresentationDim { get; init; } = 32;
    /// <summary>Hidden layers of the teacher's CTR head.</summary>
    public IReadOnlyList<int> TeacherLayers { get; init; } = [128, 64];
    /// <summary>Hidden layers of the knowledge encoder.</summary>
    public IReadOnlyList<int> EncoderLayers { get; init; } = [128];
    /// <summary>Behaviours read per row (most recent).</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>Rows per training step.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Adam learning rate of both stages.</summary>
    public double LearningRate { get; init; } = 0.002;
    /// <summary>Passes of teacher training over the rows.</summary>
    public int TeacherEpochs { get; init; } = 1;
    /// <summary>Passes of distillation over the rows.</summary>
    public int DistillationEpochs { get; init; } = 1;
    /// <summary>Weight of the in-batch contrastive (InfoNCE) loss next to the distillation MSE.</summary>
    public double ContrastiveWeight { get; init; } = 0.1;
    /// <summary>Temperature of the InfoNCE loss over cosine similarities.</summary>
    public double Temperature { get; init; } = 0.1;
    /// <summary>Seed of initialisation and of the within-day shuffle.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Retrieval, nameof(Retrieval));
        Retrieval.Validate();
        Positive(EmbeddingDim, nameof(EmbeddingDim));
        Positive(RepresentationDim, nameof(RepresentationDim));
        Positive(HistoryLength, nameof(HistoryLength));
        Positive(BatchSize, nameof(BatchSize));
        if (BatchSize < 2) throw new ArgumentException("BatchSize must be at least 2 (the contrastive loss needs in-batch negatives).", nameof(BatchSize));
        Positive(TeacherEpochs, nameof(TeacherEpochs));
        Positive(DistillationEpochs, nameof(DistillationEpochs));
        if (TeacherLayers is null || TeacherLayers.Any(w => w <= 0)) throw new ArgumentException("TeacherLayers must be positive widths.", nameof(TeacherLayers));
        if (EncoderLayers is null || EncoderLayers.Any(w => w <= 0)) throw new ArgumentException("EncoderLayers must be positive widths.", nameof(EncoderLayers));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive (got {LearningRate}).", nameof(LearningRate));
        if (!(ContrastiveWeight >= 0)) throw new ArgumentException($"ContrastiveWeight must be ≥ 0 (got {ContrastiveWeight}).", nameof(ContrastiveWeight));
        if (!(Temperature > 0)) throw new ArgumentException($"Temperature must be positive (got {Temperature}).", nameof(Temperature));
    }

    /// <summary>How both ROK stages train: day order shuffled within days, windows of 10 steps, progress as <see cref="RokProgress"/>.</summary>
    internal Training.TrainingRun<Data.ImpressionBatch> TrainingRun(string stage, Func<IEnumerable<Data.ImpressionBatch>> data, long expectedRows, int epochs,
        IProgress<RokProgress>? progress, CancellationToken cancellation) => new()
    {
        Stage = stage,
        Batches = Training.TrainingOrder.DayShuffled(data, BatchSize, Seed, stream: 13),
        Epochs = epochs,
        ExpectedRowsPerEpoch = expectedRows,
        Progress = Training.ProgressMap.To(progress, p => new RokProgress(stage, p.Rows, p.TotalRows, p.Losses.Count > 0 ? p.Losses[0] : double.NaN)),
        Cancellation = cancellation,
    };

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive (got {value}).", name);
    }
}
