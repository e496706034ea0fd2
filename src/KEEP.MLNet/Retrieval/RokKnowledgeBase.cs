using KEEP.MLNet.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// The ROK knowledge base: a retrieval-oriented embedding layer (its own id tables) and a knowledge encoder
/// (an MLP) that reconstructs the teacher's aggregated representation from the row's own features. Its two
/// outputs are the two ways to plug it in: per-field embeddings [user, item, shop, category] (feature-wise)
/// and the reconstructed representation (instance-wise).
/// </summary>
public sealed class RokKnowledgeBase : nn.Module<ModelTensors, (Tensor Fields, Tensor Reconstruction)>
{
    private readonly RowEncoder _embedding;
    private readonly ModuleList<Linear> _hidden = new();
    private readonly Linear _output;

    /// <summary>Creates the network for the vocabularies.</summary>
    public RokKnowledgeBase(FeatureVocabularies vocabularies, RokOptions options) : base(nameof(RokKnowledgeBase))
    {
        _embedding = new RowEncoder(vocabularies, options.EmbeddingDim);
        int input = _embedding.Dim;
        foreach (int width in options.EncoderLayers)
        {
            _hidden.Add(nn.Linear(input, width));
            input = width;
        }
        _output = nn.Linear(input, options.RepresentationDim);
        RegisterComponents();
    }

    /// <summary>The retrieval-oriented embedding layer.</summary>
    public RowEncoder Embedding => _embedding;
    /// <summary>The encoder's hidden layers and its output layer.</summary>
    public (IReadOnlyList<Linear> Hidden, Linear Output) Encoder => ([.. _hidden], _output);
    /// <summary>Width of the feature-wise knowledge.</summary>
    public int FieldsDim => _embedding.FieldsDim;

    /// <summary>Per-field embeddings [B, FieldsDim] and the reconstruction [B, RepresentationDim].</summary>
    public override (Tensor Fields, Tensor Reconstruction) forward(ModelTensors rows)
    {
        var x = _embedding.forward(rows);
        var fields = x[.., ..FieldsDim];
        foreach (var layer in _hidden) x = nn.functional.relu(layer.forward(x));
        return (fields, _output.forward(x));
    }
}
