using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Layers;

/// <summary>
/// The shared embedding layer: a user table and item, shop and category tables that the target item and
/// every behaviour use alike. Row 0 of every table is padding (all zeros, never trained); row 1 is the
/// out-of-vocabulary row that rare and unseen ids share.
/// </summary>
public sealed class FeatureEmbeddings : nn.Module, Training.IRowwiseEmbeddings
{
    private readonly Embedding _user, _item, _shop, _category;

    /// <summary>Creates the tables. Sizes include the padding and out-of-vocabulary rows.</summary>
    public FeatureEmbeddings(long users, long items, long shops, long categories, int userDim, int itemDim) : base(nameof(FeatureEmbeddings))
    {
        _user = nn.Embedding(users, userDim, padding_idx: 0);
        _item = nn.Embedding(items, itemDim, padding_idx: 0);
        _shop = nn.Embedding(shops, itemDim, padding_idx: 0);
        _category = nn.Embedding(categories, itemDim, padding_idx: 0);
        RegisterComponents();
        using var _ = no_grad();
        foreach (var table in new[] { _user, _item, _shop, _category })
        {
            nn.init.normal_(table.weight!, 0, 0.01);
            table.weight![0].zero_();
        }
        UserDim = userDim;
        ItemDim = 3 * itemDim;
    }

    /// <summary>Width of a user vector (K_u).</summary>
    public int UserDim { get; }

    /// <summary>Width of an item vector: item, shop and category embeddings side by side (K_i).</summary>
    public int ItemDim { get; }

    /// <summary>The user table.</summary>
    public Embedding UserTable => _user;

    /// <summary>The item, shop and category tables.</summary>
    public (Embedding Item, Embedding Shop, Embedding Category) ItemTables => (_item, _shop, _category);

    /// <summary>User vectors for user indices of any shape.</summary>
    public Tensor User(Tensor users) => Lookup(_user, users);

    /// <summary>Item vectors [.., 3·itemDim] for item/shop/category indices of the same shape.</summary>
    public Tensor Item(Tensor items, Tensor shops, Tensor categories)
        => cat([Lookup(_item, items), Lookup(_shop, shops), Lookup(_category, categories)], -1);

    IReadOnlyList<Embedding> Training.IRowwiseEmbeddings.Tables => [_user, _item, _shop, _category];

    Training.IRowLookups? Training.IRowwiseEmbeddings.RowLookups { get; set; }

    /// <summary>Row-wise training gathers only the rows a step uses (see <see cref="Training.RowwiseAdam"/>); otherwise the table's own lookup.</summary>
    private Tensor Lookup(Embedding table, Tensor ids)
        => ((Training.IRowwiseEmbeddings)this).RowLookups is { } rows && training && is_grad_enabled() ? rows.Lookup(table, ids) : table.forward(ids);
}
