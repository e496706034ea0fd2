using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// The reference for the pre-training ratio benchmark: KEEP's network (embeddings 48/16, DIN attention over
/// [q, k, q − k, q ⊙ k], three towers 512-256-128-64-1) written the way a plain TorchSharp script writes it —
/// <c>nn.Embedding</c> lookups, the attention input concatenated per behaviour, one dense Adam over every
/// parameter (every embedding row, every step). Same function and sizes as the library's network.
/// </summary>
internal sealed class NaivePretrainingNetwork : nn.Module<(Tensor User, Tensor Item, Tensor Shop, Tensor Category, Tensor HistoryItem, Tensor HistoryShop, Tensor HistoryCategory), Tensor[]>
{
    private readonly Embedding _user, _item, _shop, _category;
    private readonly Linear _a1, _a2, _a3;
    private readonly PReLU _p1, _p2;
    private readonly ModuleList<Sequential> _towers = new();

    public NaivePretrainingNetwork(long users, long items, long shops, long categories, int tasks) : base(nameof(NaivePretrainingNetwork))
    {
        _user = nn.Embedding(users, 48, padding_idx: 0);
        _item = nn.Embedding(items, 16, padding_idx: 0);
        _shop = nn.Embedding(shops, 16, padding_idx: 0);
        _category = nn.Embedding(categories, 16, padding_idx: 0);
        _a1 = nn.Linear(4 * 48, 80); _p1 = nn.PReLU(1);
        _a2 = nn.Linear(80, 40); _p2 = nn.PReLU(1);
        _a3 = nn.Linear(40, 1);
        for (int t = 0; t < tasks; t++)
            _towers.Add(nn.Sequential(nn.Linear(144, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1)));
        RegisterComponents();
    }

    public override Tensor[] forward((Tensor User, Tensor Item, Tensor Shop, Tensor Category, Tensor HistoryItem, Tensor HistoryShop, Tensor HistoryCategory) x)
    {
        var user = _user.forward(x.User);
        var target = cat([_item.forward(x.Item), _shop.forward(x.Shop), _category.forward(x.Category)], -1);
        var keys = cat([_item.forward(x.HistoryItem), _shop.forward(x.HistoryShop), _category.forward(x.HistoryCategory)], -1);
        var mask = x.HistoryItem.ne(0).to_type(ScalarType.Float32);
        var q = target.unsqueeze(1).expand_as(keys);
        var a = _p2.forward(_a2.forward(_p1.forward(_a1.forward(cat([q, keys, q - keys, q * keys], -1)))));
        var scores = _a3.forward(a).squeeze(-1) * mask;
        var interest = (scores.unsqueeze(-1) * keys).sum(1);
        var input = cat([user, target, interest], 1);
        return [.. _towers.Select(tower => tower.forward(input).squeeze(-1))];
    }
}
