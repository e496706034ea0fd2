using KEEP.MLNet.Training;
using KEEP.MLNet.Layers;
using KEEP.MLNet.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The downstream CTR model: a DIN (shared embeddings, target attention over the behaviour sequence)
/// followed by dense layers h_1..h_M and a logit. Its architecture does not depend on knowledge; with a
/// <see cref="KnowledgePlugin"/> the output of layer m becomes h_m + MLP(K) (paper Eq. 5).
/// </summary>
public sealed class KeepDnnModel : nn.Module<(ModelTensors Rows, Tensor? Knowledge), Tensor>
{
    private readonly FeatureEmbeddings _embeddings;
    private readonly TargetAttention _attention;
    private readonly ModuleList<Linear> _layers = new();
    private readonly Linear _output;
    private readonly KnowledgePlugin? _plugin;
    private readonly int _pluginLayer;

    /// <summary>Creates the model; with <paramref name="knowledgeDim"/> &gt; 0 it carries a plug-in for knowledge of that width.</summary>
    public KeepDnnModel(FeatureVocabularies vocabularies, KeepDnnOptions options, int knowledgeDim) : base(nameof(KeepDnnModel))
    {
        (_embeddings, _attention) = DinFront.Create(vocabularies, options.UserEmbeddingDim, options.ItemEmbeddingDim, options.AttentionLayers);
        int input = DinFront.InputWidth(_embeddings);
        foreach (int width in options.Layers)
        {
            _layers.Add(nn.Linear(input, width));
            input = width;
        }
        _output = nn.Linear(input, 1);
        _pluginLayer = options.PluginLayer;
        if (knowledgeDim > 0) _plugin = new KnowledgePlugin(knowledgeDim, options.PluginHidden, options.Layers[options.PluginLayer]);
        KnowledgeDim = knowledgeDim;
        RegisterComponents();
    }

    /// <summary>The DIN front, the dense layers, the output layer, the plug-in and the layer it adds to.</summary>
    internal (FeatureEmbeddings Embeddings, TargetAttention Attention, IReadOnlyList<Linear> Layers, Linear Output, KnowledgePlugin? Plugin, int PluginLayer) Parts
        => (_embeddings, _attention, [.. _layers], _output, _plugin, _pluginLayer);

    /// <summary>Width of the knowledge the plug-in takes; 0 without a plug-in.</summary>
    public int KnowledgeDim { get; }

    /// <summary>Returns the logit [B].</summary>
    public override Tensor forward((ModelTensors Rows, Tensor? Knowledge) input)
    {
        var (rows, knowledge) = input;
        var (_, _, x) = DinFront.Features(_embeddings, _attention, rows);
        for (int m = 0; m < _layers.Count; m++)
        {
            x = nn.functional.relu(_layers[m].forward(x));
            if (m == _pluginLayer && _plugin != null)
                x = x.Plus(_plugin.forward(knowledge ?? throw new ArgumentException("This model has a knowledge plug-in; pass the knowledge.")));
        }
        return _output.forward(x).squeeze(-1);
    }

    /// <summary>Copies every parameter this model shares (by name) with <paramref name="source"/>: the warm start.</summary>
    public void CopySharedParameters(KeepDnnModel source)
    {
        using var _ = no_grad();
        var mine = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in source.named_parameters())
        {
            if (!mine.TryGetValue(name, out var target)) continue;
            if (!target.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"Parameter '{name}' is {string.Join('x', parameter.shape)} in the source and {string.Join('x', target.shape)} here; warm start needs the same architecture.");
            target.copy_(parameter);
        }
    }
}
