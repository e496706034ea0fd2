using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

/// <summary>
/// K_ui computed from a pre-trained model's parameters the plain way, independently of the library's forward
/// pass: ids through the vocabularies one by one, the most recent behaviours right-aligned, table rows by
/// index, the attention over the concatenated [q, k, q − k, q ⊙ k], every tower layer by hand.
/// </summary>
internal static class NaiveKnowledge
{
    public static float[] Interaction(PretrainedModel model, ImpressionBatch batch)
    {
        var network = model.Network;
        var v = model.Vocabularies;
        int rows = batch.Count, length = model.Options.HistoryLength;
        var (items, shops, categories) = (new long[rows * length], new long[rows * length], new long[rows * length]);
        for (int r = 0; r < rows; r++)
        {
            var history = batch.HistoryItemsOf(r).ToArray();
            var historyShops = batch.HistoryShopsOf(r).ToArray();
            var historyCategories = batch.HistoryCategoriesOf(r).ToArray();
            int kept = Math.Min(length, history.Length);
            for (int k = 0; k < kept; k++)
            {
                int from = history.Length - kept + k, to = r * length + length - kept + k;
                (items[to], shops[to], categories[to]) = (v.Items[history[from]], v.Shops[historyShops[from]], v.Categories[historyCategories[from]]);
            }
        }
        long[] Map(ReadOnlySpan<int> ids, IdVocabulary vocabulary) { var m = new long[ids.Length]; for (int i = 0; i < m.Length; i++) m[i] = vocabulary[ids[i]]; return m; }

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var embeddings = network.Embeddings;
        var (itemTable, shopTable, categoryTable) = embeddings.ItemTables;
        Tensor Rows(TorchSharp.Modules.Embedding table, long[] index, params long[] shape) => table.weight!.index_select(0, tensor(index)).view([.. shape, -1]);
        var user = Rows(embeddings.UserTable, Map(batch.UserId, v.Users), rows);
        var target = cat([Rows(itemTable, Map(batch.ItemId, v.Items), rows), Rows(shopTable, Map(batch.ShopId, v.Shops), rows), Rows(categoryTable, Map(batch.CategoryId, v.Categories), rows)], -1);
        var keys = cat([Rows(itemTable, items, rows, length), Rows(shopTable, shops, rows, length), Rows(categoryTable, categories, rows, length)], -1);
        var mask = tensor(items, [rows, length]).ne(0).to_type(ScalarType.Float32);
        var x = cat([user, target, NaiveTargetAttention.Pool(network.Attention, target, keys, mask)], 1);
        var knowledge = new List<Tensor>();
        foreach (var tower in network.Towers)
        {
            var h = x;
            foreach (var layer in tower.Layers.Hidden) h = matmul(h, layer.weight!.t()).add(layer.bias!).relu();
            knowledge.Add(h);
        }
        return cat(knowledge, 1).contiguous().data<float>().ToArray();
    }
}
