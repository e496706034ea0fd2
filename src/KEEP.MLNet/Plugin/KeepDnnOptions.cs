using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Plugin;

/// <summary>Architecture and training settings of the downstream KEEP DNN.</summary>
public sealed record KeepDnnOptions
{
    /// <summary>User-id embedding width.</summary>
    public int UserEmbeddingDim { get; init; } = 32;
    /// <summary>Width of each of the item, shop and category embeddings.</summary>
    public int ItemEmbeddingDim { get; init; } = 16;
    /// <summary>Behaviours used per row.</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>Hidden sizes of the attention unit.</summary>
    public IReadOnlyList<int> AttentionLayers { get; init; } = [80, 40];
    /// <summary>Hidden dense layers h_1..h_M.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [256, 128, 64];
    /// <summary>Index m (0-based) of the dense layer whose output the plug-in network adds to: h'_m = h_m + MLP(K).</summary>
    public int PluginLayer { get; init; }
    /// <summary>Hidden sizes of the plug-in MLP.</summary>
    public IReadOnlyList<int> PluginHidden { get; init; } = [128];
    /// <summary>Which knowledge feeds the plug-in (paper Table 3).</summary>
    public KnowledgeKinds Knowledge { get; init; } = KnowledgeKinds.All;
    /// <summary>Label the model predicts (paper Table 5: click, conversion or cart models).</summary>
    public PretrainingTask Label { get; init; } = PretrainingTask.Click;
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 0.001;
    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Seed of initialisation and shuffling.</summary>
    public int Seed { get; init; } = 7;
    /// <summary>How embedding tables are updated: row-wise (lazy) Adam by default, so a step's cost does not grow with the vocabulary.</summary>
    public Training.EmbeddingUpdates EmbeddingUpdates { get; init; } = Training.EmbeddingUpdates.RowwiseAdam;
    /// <summary>
    /// Whether training further (<see cref="KeepDnnTrainer.Continue"/>, a warm start, <c>keep train --continue-from</c>)
    /// continues the optimizer the model was trained with — Adam's moments and step counts, saved with the model — as a
    /// production trainer restoring its slots does. Off, every run starts a fresh Adam, whose first steps move each
    /// parameter by about the learning rate whatever it has learnt. Parameters the model did not have (a plug-in added
    /// to a running model) start afresh either way.
    /// </summary>
    public bool CarryOptimizerState { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Layers.Count == 0 || Layers.Any(w => w <= 0)) throw new ArgumentException("Layers must be non-empty and positive.", nameof(Layers));
        if (PluginLayer < 0 || PluginLayer >= Layers.Count) throw new ArgumentException($"PluginLayer must be between 0 and {Layers.Count - 1}.", nameof(PluginLayer));
        if (PluginHidden.Any(w => w <= 0)) throw new ArgumentException("PluginHidden must be positive.", nameof(PluginHidden));
        if (BatchSize < 2) throw new ArgumentException("BatchSize must be at least 2.", nameof(BatchSize));
        if (Epochs < 1) throw new ArgumentException("Epochs must be at least 1.", nameof(Epochs));
        if (!Enum.IsDefined(EmbeddingUpdates)) throw new ArgumentException("EmbeddingUpdates must be RowwiseAdam or DenseAdam.", nameof(EmbeddingUpdates));
        if (LearningRate <= 0) throw new ArgumentException("LearningRate must be positive.", nameof(LearningRate));
    }
}
