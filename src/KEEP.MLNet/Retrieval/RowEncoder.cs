using KEEP.MLNet.Layers;
using KEEP.MLNet.Pretraining;
using TorchSharp;
using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// A row's own features as one vector: [user, target item (item ⊕ shop ⊕ category), mean of the behaviour
/// items] over its own embedding tables — the query side of the teacher and the input of the ROK encoder.
/// </summary>
public sealed class RowEncoder : nn.Module<ModelTensors, Tensor>
{
    private readonly FeatureEmbeddings _embeddings;

    /// <summary>Creates the tables for the vocabularies.</summary>
    public RowEncoder(FeatureVocabularies vocabularies, int dim) : base(nameof(RowEncoder))
    {
        _embeddings = new FeatureEmbeddings(vocabularies.Users.Size, vocabularies.Items.Size, vocabularies.Shops.Size, vocabularies.Categories.Size, dim, dim);
        RegisterComponents();
        FieldsDim = _embeddings.UserDim + _embeddings.ItemDim;
        Dim = FieldsDim + _embeddings.ItemDim;
    }

    /// <summary>The embedding tables.</summary>
    public FeatureEmbeddings Embeddings => _embeddings;
    /// <summary>Width of the per-field part [user, target].</summary>
    public int FieldsDim { get; }
    /// <summary>Width of the whole vector.</summary>
    public int Dim { get; }

    /// <summary>[user, target] [B, FieldsDim]: the per-field embeddings.</summary>
    public Tensor Fields(ModelTensors rows) => cat([_embeddings.User(rows.User), _embeddings.Item(rows.Item, rows.Shop, rows.Category)], 1);

    /// <summary>Fields of other rows given as index tensors of any shape [.., FieldsDim].</summary>
    public Tensor Fields(Tensor user, Tensor item, Tensor shop, Tensor category) => cat([_embeddings.User(user), _embeddings.Item(item, shop, category)], -1);

    /// <summary>[user, target, mean behaviour] [B, Dim].</summary>
    public override Tensor forward(ModelTensors rows)
    {
        var behaviours = _embeddings.Item(rows.HistoryItem, rows.HistoryShop, rows.HistoryCategory);
        var mask = rows.HistoryItem.NotEqual(IdVocabulary.Padding).to_type(ScalarType.Float32).unsqueeze(-1);
        var mean = (behaviours * mask).sum(1) / mask.sum(1).AtLeast(1);
        return cat([Fields(rows), mean], 1);
    }
}
