using KEEP.MLNet.Data;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// One impression as a <c>PredictionEngine</c> input for models with the paper's history length (50):
/// histories are fixed-length, most recent behaviour last, padded with 0 on the left. Use
/// <see cref="Create"/> to fill them from plain lists.
/// </summary>
public sealed class KnowledgeInput
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
    public static KnowledgeInput Create(int userId, int itemId, int shopId, int categoryId,
        ReadOnlySpan<int> historyItems, ReadOnlySpan<int> historyShops, ReadOnlySpan<int> historyCategories)
    {
        var input = new KnowledgeInput { UserId = userId, ItemId = itemId, ShopId = shopId, CategoryId = categoryId };
        HistoryWindow.Fill(historyItems, input.HistoryItemIds);
        HistoryWindow.Fill(historyShops, input.HistoryShopIds);
        HistoryWindow.Fill(historyCategories, input.HistoryCategoryIds);
        return input;
    }

    /// <summary>Row <paramref name="row"/> of a batch.</summary>
    public static KnowledgeInput From(ImpressionBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Create(batch.UserId[row], batch.ItemId[row], batch.ShopId[row], batch.CategoryId[row],
            batch.HistoryItemsOf(row), batch.HistoryShopsOf(row), batch.HistoryCategoriesOf(row));
    }
}

/// <summary>The knowledge a <c>PredictionEngine</c> returns for the paper's sizes: K_u (48), K_i (48), K_ui (3 × 64).</summary>
public sealed class KnowledgeOutput
{
    /// <summary>K_u (column <c>K_u</c>).</summary>
    [ColumnName("K_u"), VectorType(48)] public float[] UserKnowledge { get; set; } = [];
    /// <summary>K_i (column <c>K_i</c>).</summary>
    [ColumnName("K_i"), VectorType(48)] public float[] ItemKnowledge { get; set; } = [];
    /// <summary>K_ui (column <c>K_ui</c>).</summary>
    [ColumnName("K_ui"), VectorType(192)] public float[] InteractionKnowledge { get; set; } = [];
}
