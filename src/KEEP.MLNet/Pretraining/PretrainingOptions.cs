namespace KEEP.MLNet.Pretraining;

/// <summary>Architecture and training settings of KEEP's knowledge-extraction model. Defaults are the paper's.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Tasks to train, in the order their knowledge is concatenated into K_ui.</summary>
    public IReadOnlyList<PretrainingTask> Tasks { get; init; } = [PretrainingTask.Click, PretrainingTask.Conversion, PretrainingTask.Cart];
    /// <summary>User-id embedding width (K_u). Paper: 48.</summary>
    public int UserEmbeddingDim { get; init; } = 48;
    /// <summary>Width of each of the item, shop and category embeddings (K_i is three of them). Paper: 16.</summary>
    public int ItemEmbeddingDim { get; init; } = 16;
    /// <summary>Behaviours used per row (most recent kept). Paper's setting: 50.</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>Hidden sizes of the attention unit. DIN: 80, 40.</summary>
    public IReadOnlyList<int> AttentionLayers { get; init; } = [80, 40];
    /// <summary>Hidden sizes of each task tower; the last one is the task's K_ui width. Paper: 512, 256, 128, 64.</summary>
    public IReadOnlyList<int> TowerLayers { get; init; } = [512, 256, 128, 64];
    /// <summary>Weight α of the pairwise loss: L = L_point + α·L_pair. Paper: 0.25.</summary>
    public double PairwiseWeight { get; init; } = 0.25;
    /// <summary>Adam learning rate. Paper: 0.001.</summary>
    public double LearningRate { get; init; } = 0.001;
    /// <summary>Rows per step. Paper: 2000.</summary>
    public int BatchSize { get; init; } = 2000;
    /// <summary>Ids seen fewer times than this share the out-of-vocabulary embedding.</summary>
    public int MinIdCount { get; init; } = 1;
    /// <summary>Seed of initialisation and of the within-day shuffle.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>How embedding tables are updated: row-wise (lazy) Adam by default, so a step's cost does not grow with the vocabulary.</summary>
    public Training.EmbeddingUpdates EmbeddingUpdates { get; init; } = Training.EmbeddingUpdates.RowwiseAdam;
    /// <summary>
    /// Whether the model keeps the optimizer's state (Adam's moments and step counts, saved with it) so that continuing it
    /// on the next days (<see cref="KeepPretrainer.Continue(PretrainedModel, IEnumerable{Data.ImpressionBatch}, long, IProgress{PretrainingProgress}?, CancellationToken)"/>,
    /// <c>keep pretrain --continue-from</c>) continues the same optimizer, as a production trainer restoring its slots does.
    /// Off, each continuation starts a fresh Adam and the saved model holds only its weights. Runs across ranks start afresh.
    /// </summary>
    public bool CarryOptimizerState { get; init; } = true;
    /// <summary>Torch threads; 0 uses every core.</summary>
    public int Threads { get; init; }
    /// <summary>Report progress every this many steps.</summary>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>Width of K_ui: the last tower layer times the number of tasks.</summary>
    public int InteractionDim => TowerLayers[^1] * Tasks.Count;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(Tasks.Count > 0 && Tasks.Distinct().Count() == Tasks.Count, nameof(Tasks), "a non-empty list without repeats");
        Require(UserEmbeddingDim is >= 1 and <= 1024, nameof(UserEmbeddingDim), "between 1 and 1024");
        Require(ItemEmbeddingDim is >= 1 and <= 1024, nameof(ItemEmbeddingDim), "between 1 and 1024");
        Require(HistoryLength is >= 1 and <= 1000, nameof(HistoryLength), "between 1 and 1000");
        Require(AttentionLayers.Count > 0 && AttentionLayers.All(w => w > 0), nameof(AttentionLayers), "non-empty and positive");
        Require(TowerLayers.Count > 0 && TowerLayers.All(w => w > 0), nameof(TowerLayers), "non-empty and positive");
        Require(PairwiseWeight >= 0 && double.IsFinite(PairwiseWeight), nameof(PairwiseWeight), "finite and non-negative");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "positive");
        Require(BatchSize is >= 2 and <= 1_000_000, nameof(BatchSize), "between 2 and 1,000,000");
        Require(MinIdCount >= 1, nameof(MinIdCount), "at least 1");
        Require(Enum.IsDefined(EmbeddingUpdates), nameof(EmbeddingUpdates), "RowwiseAdam or DenseAdam");
        Require(Threads >= 0, nameof(Threads), "0 (all cores) or positive");
        Require(ProgressInterval >= 1, nameof(ProgressInterval), "at least 1");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok) throw new ArgumentException($"Pre-training option {name} must be {what}.", name);
    }
}
