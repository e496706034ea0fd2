using KEEP.MLNet.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// The retrieval-augmented CTR teacher (RIM-style): the query row attends over its k retrieved rows, each
/// represented by its fields and its label; the attention-weighted sum is the aggregated representation R
/// [B, d] that ROK distils, and an MLP over [row, R] gives the click logit.
/// </summary>
internal sealed class RetrievalTeacherNetwork : nn.Module<(ModelTensors Rows, RetrievedTensors Retrieved), (Tensor Logit, Tensor Representation)>
{
    private readonly RowEncoder _rows;
    private readonly Embedding _label;
    private readonly Linear _query, _key, _value;
    private readonly ModuleList<Linear> _layers = new();
    private readonly Linear _output;
    private readonly double _scale;

    /// <summary>Creates the network for the vocabularies.</summary>
    public RetrievalTeacherNetwork(FeatureVocabularies vocabularies, RokOptions options) : base(nameof(RetrievalTeacherNetwork))
    {
        _rows = new RowEncoder(vocabularies, options.EmbeddingDim);
        _label = nn.Embedding(3, options.EmbeddingDim);
        int d = options.RepresentationDim, neighbour = _rows.FieldsDim + options.EmbeddingDim;
        _query = nn.Linear(_rows.Dim, d);
        _key = nn.Linear(neighbour, d);
        _value = nn.Linear(neighbour, d);
        int input = _rows.Dim + d;
        foreach (int width in options.TeacherLayers)
        {
            _layers.Add(nn.Linear(input, width));
            input = width;
        }
        _output = nn.Linear(input, 1);
        _scale = 1 / Math.Sqrt(d);
        RegisterComponents();
    }

    /// <summary>Returns the logit [B] and the aggregated representation R [B, d].</summary>
    public override (Tensor Logit, Tensor Representation) forward((ModelTensors Rows, RetrievedTensors Retrieved) input)
    {
        var (rows, retrieved) = input;
        var row = _rows.forward(rows);
        var neighbours = cat([_rows.Fields(retrieved.User, retrieved.Item, retrieved.Shop, retrieved.Category), _label.forward(retrieved.Label)], -1);
        var scores = matmul(_key.forward(neighbours), _query.forward(row).unsqueeze(-1)).squeeze(-1).Times(_scale);
        // Missing neighbours get no weight; a row with none gets R = 0.
        var weights = softmax(scores.FilledWhere(retrieved.Mask.Equal(0), -1e9), 1) * retrieved.Mask;
        var representation = (weights.unsqueeze(-1) * _value.forward(neighbours)).sum(1);
        var x = cat([row, representation], 1);
        foreach (var layer in _layers) x = nn.functional.relu(layer.forward(x));
        return (_output.forward(x).squeeze(-1), representation);
    }
}
