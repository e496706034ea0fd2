using KEEP.MLNet.Layers;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Experiments.Competitors;

/// <summary>
/// The shared-bottom cross-domain model (the CoNet/STAR family the paper compares with, §6.2): one embedding
/// layer and one attention unit shared by the super- and the sub-domain, and a tower per domain. The bottom and
/// the towers have the Base DNN's sizes (<see cref="KeepDnnOptions"/>), so the only difference to the Base DNN
/// is the second domain's data reaching the shared bottom through a tower of its own.
/// </summary>
internal sealed class SharedBottomNetwork : nn.Module<(ModelTensors Rows, int Domain), Tensor>
{
    /// <summary>Index of the super-domain's tower.</summary>
    public const int Super = 0;
    /// <summary>Index of the sub-domain's tower.</summary>
    public const int Sub = 1;

    private readonly FeatureEmbeddings _embeddings;
    private readonly TargetAttention _attention;
    private readonly ModuleList<TaskTower> _towers = new();

    public SharedBottomNetwork(FeatureVocabularies vocabularies, KeepDnnOptions options) : base(nameof(SharedBottomNetwork))
    {
        (_embeddings, _attention) = DinFront.Create(vocabularies, options.UserEmbeddingDim, options.ItemEmbeddingDim, options.AttentionLayers);
        int input = DinFront.InputWidth(_embeddings);
        _towers.Add(new TaskTower(input, options.Layers));
        _towers.Add(new TaskTower(input, options.Layers));
        RegisterComponents();
    }

    /// <summary>The logit [B] of the given domain's tower (<see cref="Super"/> or <see cref="Sub"/>) for the rows.</summary>
    public override Tensor forward((ModelTensors Rows, int Domain) input)
    {
        var (rows, domain) = input;
        var (_, _, x) = DinFront.Features(_embeddings, _attention, rows);
        return _towers[domain].Forward(x).Logit;
    }
}
