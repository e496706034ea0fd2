using KEEP.MLNet.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Pretraining;

/// <summary>What the model computes for a block: per-task logits and the three kinds of knowledge.</summary>
/// <param name="Logits">One [B] logit tensor per task, in <see cref="PretrainingOptions.Tasks"/> order.</param>
/// <param name="User">K_u [B, UserEmbeddingDim].</param>
/// <param name="Item">K_i [B, 3·ItemEmbeddingDim].</param>
/// <param name="Interaction">K_ui [B, InteractionDim]: every tower's last hidden layer, side by side.</param>
public sealed record ModelOutput(Tensor[] Logits, Tensor User, Tensor Item, Tensor Interaction);

/// <summary>
/// KEEP's knowledge-extraction network (paper §3.2): a DIN over shared embeddings — the target item
/// attends over the behaviour sequence — feeding one tower per task. Input of every tower:
/// [user, target item, attention-pooled behaviours].
/// </summary>
public sealed class KeepPretrainingModel : nn.Module<ModelTensors, ModelOutput>
{
    private readonly FeatureEmbeddings _embeddings;
    private readonly TargetAttention _attention;
    private readonly ModuleList<TaskTower> _towers = new();

    /// <summary>Builds the network for the given vocabularies and options.</summary>
    public KeepPretrainingModel(FeatureVocabularies vocabularies, PretrainingOptions options) : base(nameof(KeepPretrainingModel))
    {
        (_embeddings, _attention) = DinFront.Create(vocabularies, options.UserEmbeddingDim, options.ItemEmbeddingDim, options.AttentionLayers);
        int towerInput = DinFront.InputWidth(_embeddings);
        foreach (var _ in options.Tasks) _towers.Add(new TaskTower(towerInput, options.TowerLayers));
        RegisterComponents();
    }

    /// <summary>The shared embedding layer.</summary>
    public FeatureEmbeddings Embeddings => _embeddings;

    /// <summary>The attention unit.</summary>
    public TargetAttention Attention => _attention;

    /// <summary>The towers, in task order.</summary>
    public IReadOnlyList<TaskTower> Towers => [.. _towers];

    /// <inheritdoc/>
    public override ModelOutput forward(ModelTensors input)
    {
        var (user, target, x) = DinFront.Features(_embeddings, _attention, input);
        var logits = new Tensor[_towers.Count];
        var knowledge = new Tensor[_towers.Count];
        // Every tower's first layer reads the same input: one product over their weights side by side (the same
        // function; one wide GEMM instead of three, and one backward product for the input's gradient).
        var firsts = _towers.Select(t => t.Layers.Hidden[0]).ToList();
        var hidden = nn.functional.linear(x, cat(firsts.Select(l => (Tensor)l.weight!).ToList(), 0), cat(firsts.Select(l => (Tensor)l.bias!).ToList(), 0)).relu_();
        long offset = 0;
        for (int t = 0; t < _towers.Count; t++)
        {
            long width = firsts[t].weight!.shape[0];
            (logits[t], knowledge[t]) = _towers[t].ForwardFrom(1, hidden.narrow(1, offset, width));
            offset += width;
        }
        return new ModelOutput(logits, user, target, cat(knowledge, 1));
    }
}
