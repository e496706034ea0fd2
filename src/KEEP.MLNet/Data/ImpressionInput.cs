using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// One impression as a <c>PredictionEngine</c> input for KEEP's saved models (knowledge, KEEP DNN) with the paper's history length (50):
/// histories are fixed-length, most recent behaviour last, padded with 0 on the left. Use
/// <see cref="Create"/> to fill them from plain lists.
/// </summary>
public sealed class ImpressionInput
{
    /// <summary>The history length of this input class.</summary>
    public const int HistoryLength = 50;

    /// <summary>User id.</summary>
    public int UserId { get; set; }
    /// <summary>Target item id.</summary>
    public int ItemId { get; set; }
    /// <summary>Target shop id.</summary>
    public int ShopId { get; set; }
    /// <summary>Target category id.</summary>
    public int CategoryId { get; set; }
    /// <summary>Behaviour item ids, right-aligned.</summary>
    [VectorType(HistoryLength)] public int[] HistoryItemIds { get; set; } = new int[HistoryLength];
    /// <summary>Behaviour shop ids, aligned with <see cref="HistoryItemIds"/>.</summary>
    [VectorType(HistoryLength)] public int[] HistoryShopIds { get; set; } = new int[HistoryLength];
    /// <summary>Behaviour category ids, aligned with <see cref="HistoryItemIds"/>.</summary>
    [VectorType(HistoryLength)] public int[] HistoryCategoryIds { get; set; } = new int[HistoryLength];

    /// <summary>An input from ids and behaviour lists (oldest first); longer lists keep their most recent 50.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is below 1 (the file readers refuse the same rows).</exception>
    /// <exception cref="ArgumentException">The three behaviour lists differ in length.</exception>
    public static ImpressionInput Create(int userId, int itemId, int shopId, int categoryId,
        ReadOnlySpan<int> historyItems, ReadOnlySpan<int> historyShops, ReadOnlySpan<int> historyCategories)
    {
        // The rules the file readers apply (ImpressionRowValidator): ids start at 1 (0 is padding), histories align.
        foreach (var (id, name) in new[] { (userId, nameof(userId)), (itemId, nameof(itemId)), (shopId, nameof(shopId)), (categoryId, nameof(categoryId)) })
            if (id < 1) throw new ArgumentOutOfRangeException(name, id, "Ids start at 1 (0 is reserved for padding).");
        if (historyShops.Length != historyItems.Length || historyCategories.Length != historyItems.Length)
            throw new ArgumentException($"The histories differ in length: {historyItems.Length} items, {historyShops.Length} shops, {historyCategories.Length} categories.", nameof(historyShops));
        foreach (var (ids, name) in new[] { (historyItems.ToArray(), nameof(historyItems)), (historyShops.ToArray(), nameof(historyShops)), (historyCategories.ToArray(), nameof(historyCategories)) })
            if (ids.FirstOrDefault(i => i < 1, 1) is var bad and < 1) throw new ArgumentOutOfRangeException(name, bad, "History ids start at 1 (0 is reserved for padding).");
        var input = new ImpressionInput { UserId = userId, ItemId = itemId, ShopId = shopId, CategoryId = categoryId };
        HistoryWindow.Fill(historyItems, input.HistoryItemIds);
        HistoryWindow.Fill(historyShops, input.HistoryShopIds);
        HistoryWindow.Fill(historyCategories, input.HistoryCategoryIds);
        return input;
    }

    /// <summary>Row <paramref name="row"/> of a batch.</summary>
    public static ImpressionInput From(ImpressionBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Create(batch.UserId[row], batch.ItemId[row], batch.ShopId[row], batch.CategoryId[row],
            batch.HistoryItemsOf(row), batch.HistoryShopsOf(row), batch.HistoryCategoriesOf(row));
    }
}
