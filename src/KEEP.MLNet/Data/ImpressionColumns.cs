using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// The impression schema shared by the simulator, the file formats, the importers and every estimator.
/// One row is one impression: when, who, which item (with its shop and category), what the user had
/// clicked before (most recent last), and the three labels of the paper's tasks.
/// </summary>
public static class ImpressionColumns
{
    /// <summary>Day index (0-based); rows are ordered by it.</summary>
    public const string Day = "Day";
    /// <summary>User id (≥ 1; 0 is reserved for padding and unknown ids).</summary>
    public const string UserId = "UserId";
    /// <summary>Target item id (≥ 1).</summary>
    public const string ItemId = "ItemId";
    /// <summary>Shop (seller) id of the target item (≥ 1).</summary>
    public const string ShopId = "ShopId";
    /// <summary>Category id of the target item (≥ 1).</summary>
    public const string CategoryId = "CategoryId";
    /// <summary>Item ids the user clicked before this impression, oldest first, most recent last.</summary>
    public const string HistoryItemIds = "HistoryItemIds";
    /// <summary>Shop ids of <see cref="HistoryItemIds"/>, position by position.</summary>
    public const string HistoryShopIds = "HistoryShopIds";
    /// <summary>Category ids of <see cref="HistoryItemIds"/>, position by position.</summary>
    public const string HistoryCategoryIds = "HistoryCategoryIds";
    /// <summary>Click label.</summary>
    public const string Click = "Click";
    /// <summary>Add-to-cart label (only ever true on clicked rows).</summary>
    public const string Cart = "Cart";
    /// <summary>Conversion (purchase) label (only ever true on clicked rows).</summary>
    public const string Conversion = "Conversion";

    /// <summary>The columns that rows to be scored may lack: the day and the labels (read as day 0 and false).</summary>
    public static readonly IReadOnlyList<string> Unlabelled = [Day, Click, Cart, Conversion];

    /// <summary>The id columns, in schema order.</summary>
    public static readonly IReadOnlyList<string> Ids = [UserId, ItemId, ShopId, CategoryId];

    /// <summary>The behaviour-sequence columns, in schema order.</summary>
    public static readonly IReadOnlyList<string> Histories = [HistoryItemIds, HistoryShopIds, HistoryCategoryIds];

    /// <summary>The label columns, in schema order.</summary>
    public static readonly IReadOnlyList<string> Labels = [Click, Cart, Conversion];

    /// <summary>Every column, in schema order.</summary>
    public static readonly IReadOnlyList<string> All = [Day, .. Ids, .. Histories, .. Labels];

    /// <summary>The ML.NET schema of an impression <see cref="IDataView"/> with variable-length histories.</summary>
    public static DataViewSchema Schema { get; } = BuildSchema(0);

    /// <summary>
    /// The schema with histories as vectors of exactly <paramref name="historyLength"/> ids (right-aligned,
    /// see <see cref="HistoryWindow"/>), or variable-length ones when it is 0. Models saved to ML.NET zips
    /// take fixed-length histories.
    /// </summary>
    public static DataViewSchema BuildSchema(int historyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(historyLength);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(Day, NumberDataViewType.Int32);
        foreach (string id in Ids) builder.AddColumn(id, NumberDataViewType.Int32);
        foreach (string history in Histories) builder.AddColumn(history, new VectorDataViewType(NumberDataViewType.Int32, historyLength));
        foreach (string label in Labels) builder.AddColumn(label, BooleanDataViewType.Instance);
        return builder.ToSchema();
    }
}
