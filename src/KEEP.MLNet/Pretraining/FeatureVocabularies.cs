using KEEP.MLNet.Data;

namespace KEEP.MLNet.Pretraining;

/// <summary>The four vocabularies of the model: users, items, shops, categories (behaviours share the item-side ones).</summary>
public sealed record FeatureVocabularies(IdVocabulary Users, IdVocabulary Items, IdVocabulary Shops, IdVocabulary Categories)
{
    /// <summary>Counts ids over the data (one pass) and keeps those seen at least <paramref name="minCount"/> times.</summary>
    public static FeatureVocabularies Build(IEnumerable<ImpressionBatch> data, int minCount, out long rows)
        => Build(data, minCount, out rows, out _);

    /// <summary>As <see cref="Build(IEnumerable{ImpressionBatch}, int, out long)"/>, also counting the positive labels.</summary>
    public static FeatureVocabularies Build(IEnumerable<ImpressionBatch> data, int minCount, out long rows, out LabelCounts positives)
    {
        long clicks = 0, carts = 0, conversions = 0;
        var counters = new[] { new Dictionary<int, int>(), new Dictionary<int, int>(), new Dictionary<int, int>(), new Dictionary<int, int>() };
        var order = new[] { new List<int>(), new List<int>(), new List<int>(), new List<int>() };
        rows = 0;
        foreach (var batch in data)
        {
            rows += batch.Count;
            foreach (bool c in batch.Click) if (c) clicks++;
            foreach (bool c in batch.Cart) if (c) carts++;
            foreach (bool c in batch.Conversion) if (c) conversions++;
            Count(counters[0], order[0], batch.UserId);
            Count(counters[1], order[1], batch.ItemId);
            Count(counters[1], order[1], batch.HistoryItemIds);
            Count(counters[2], order[2], batch.ShopId);
            Count(counters[2], order[2], batch.HistoryShopIds);
            Count(counters[3], order[3], batch.CategoryId);
            Count(counters[3], order[3], batch.HistoryCategoryIds);
        }
        positives = new LabelCounts(clicks, carts, conversions);
        IdVocabulary Keep(int field) => new(order[field].Where(id => counters[field][id] >= minCount).ToList());
        return new FeatureVocabularies(Keep(0), Keep(1), Keep(2), Keep(3));
    }

    private static void Count(Dictionary<int, int> counts, List<int> order, ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
        {
            ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, id, out bool existed);
            if (!existed) order.Add(id);
            count++;
        }
    }

    /// <summary>Writes all four.</summary>
    public void Write(BinaryWriter writer)
    {
        Users.Write(writer); Items.Write(writer); Shops.Write(writer); Categories.Write(writer);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static FeatureVocabularies Read(BinaryReader reader)
        => new(IdVocabulary.Read(reader), IdVocabulary.Read(reader), IdVocabulary.Read(reader), IdVocabulary.Read(reader));
}

/// <summary>Positive labels counted over training rows.</summary>
/// <param name="Click">Clicked rows.</param>
/// <param name="Cart">Rows added to cart.</param>
/// <param name="Conversion">Converted rows.</param>
public sealed record LabelCounts(long Click, long Cart, long Conversion)
{
    /// <summary>The count of one task's positives.</summary>
    public long Of(PretrainingTask task) => task switch
    {
        PretrainingTask.Click => Click,
        PretrainingTask.Cart => Cart,
        _ => Conversion,
    };

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="task"/> has no positive row: nothing to learn.</summary>
    public void RequirePositives(PretrainingTask task, long rows, string what)
    {
        if (Of(task) == 0)
            throw new ArgumentException($"The {what} rows have no positive {task} label ({rows:N0} rows, all negative); a model cannot learn from negatives only. Check the label column and the date range.");
    }
}
