using Parquet.Schema;

namespace KEEP.MLNet.Data.Formats;

/// <summary>The Parquet layout of impressions: Int32 ids, lists of Int32 for histories, Boolean labels.</summary>
internal static class ParquetImpressionSchema
{
    public static readonly DataField<int> Day = new(ImpressionColumns.Day);
    public static readonly DataField<int>[] Ids = ImpressionColumns.Ids.Select(n => new DataField<int>(n)).ToArray();
    public static readonly ListField[] HistoryLists = ImpressionColumns.Histories.Select(n => new ListField(n, new DataField<int>("element"))).ToArray();
    public static readonly DataField<bool>[] Labels = ImpressionColumns.Labels.Select(n => new DataField<bool>(n)).ToArray();

    public static DataField HistoryElement(int index) => (DataField)HistoryLists[index].Item;

    public static ParquetSchema Schema { get; } = new([Day, .. Ids, .. HistoryLists, .. Labels]);
}
