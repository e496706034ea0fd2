namespace KEEP.MLNet.Serving.Compression;

/// <summary>Settings of <see cref="KnowledgeCompressor"/>.</summary>
public sealed record KnowledgeCompressionOptions
{
    /// <summary>Super-domain rows (sampled uniformly) the two-tower student is distilled on.</summary>
    public int TrainingRows { get; init; } = 300_000;
    /// <summary>Share of the sampled rows held out to report the fit.</summary>
    public double HoldoutShare { get; init; } = 0.1;
    /// <summary>Hidden width of each tower.</summary>
    public int Hidden { get; init; } = 256;
    /// <summary>Passes over the sampled rows.</summary>
    public int Epochs { get; init; } = 6;
    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 0.002;
    /// <summary>Seed of sampling, initialisation and shuffling.</summary>
    public int Seed { get; init; } = 11;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (TrainingRows < 100) throw new ArgumentException("TrainingRows must be at least 100.", nameof(TrainingRows));
        if (HoldoutShare is <= 0 or >= 0.5) throw new ArgumentException("HoldoutShare must be in (0, 0.5).", nameof(HoldoutShare));
        if (Hidden < 1 || Epochs < 1 || BatchSize < 2 || LearningRate <= 0) throw new ArgumentException("Hidden, Epochs, BatchSize and LearningRate must be positive.");
    }
}
