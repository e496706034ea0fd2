namespace KEEP.MLNet.Data;

/// <summary>Names of the impression columns in a user's <see cref="Microsoft.ML.IDataView"/>; defaults are <see cref="ImpressionColumns"/>.</summary>
public sealed record ImpressionColumnNames
{
    /// <summary>Day column (Int32); needed for pre-training only.</summary>
    public string Day { get; init; } = ImpressionColumns.Day;
    /// <summary>User id column (Int32).</summary>
    public string UserId { get; init; } = ImpressionColumns.UserId;
    /// <summary>Item id column (Int32).</summary>
    public string ItemId { get; init; } = ImpressionColumns.ItemId;
    /// <summary>Shop id column (Int32).</summary>
    public string ShopId { get; init; } = ImpressionColumns.ShopId;
    /// <summary>Category id column (Int32).</summary>
    public string CategoryId { get; init; } = ImpressionColumns.CategoryId;
    /// <summary>Behaviour item ids (vector of Int32).</summary>
    public string HistoryItemIds { get; init; } = ImpressionColumns.HistoryItemIds;
    /// <summary>Behaviour shop ids (vector of Int32).</summary>
    public string HistoryShopIds { get; init; } = ImpressionColumns.HistoryShopIds;
    /// <summary>Behaviour category ids (vector of Int32).</summary>
    public string HistoryCategoryIds { get; init; } = ImpressionColumns.HistoryCategoryIds;
    /// <summary>Click label (Boolean); needed for pre-training only.</summary>
    public string Click { get; init; } = ImpressionColumns.Click;
    /// <summary>Cart label (Boolean); needed for pre-training only.</summary>
    public string Cart { get; init; } = ImpressionColumns.Cart;
    /// <summary>Conversion label (Boolean); needed for pre-training only.</summary>
    public string Conversion { get; init; } = ImpressionColumns.Conversion;

    /// <summary>The id columns.</summary>
    public IReadOnlyList<string> IdColumns => [UserId, ItemId, ShopId, CategoryId];

    /// <summary>The behaviour columns.</summary>
    public IReadOnlyList<string> HistoryColumns => [HistoryItemIds, HistoryShopIds, HistoryCategoryIds];

    /// <summary>The column of <paramref name="label"/>.</summary>
    public string LabelColumn(ImpressionLabel label) => label switch
    {
        ImpressionLabel.Click => Click,
        ImpressionLabel.Cart => Cart,
        _ => Conversion,
    };

    /// <summary>The label columns.</summary>
    public IReadOnlyList<string> LabelColumns => [Click, Cart, Conversion];
}
