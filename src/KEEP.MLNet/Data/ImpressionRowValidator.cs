namespace KEEP.MLNet.Data;

/// <summary>
/// The checks every impression source applies to each row, so that bad input is reported the same way
/// whatever the format: ids ≥ 1 (0 is reserved for padding and unknown ids), a non-negative day, and no
/// cart or conversion without a click.
/// </summary>
internal readonly struct ImpressionRowValidator(string file, long firstLine)
{
    public void Check(int rowInBlock, int day, int user, int item, int shop, int category,
        ReadOnlySpan<int> historyItems, ReadOnlySpan<int> historyShops, ReadOnlySpan<int> historyCategories,
        bool click, bool cart, bool conversion)
    {
        long line = firstLine + rowInBlock;
        if (day < 0) throw new DataFormatException(file, line, ImpressionColumns.Day, $"day {day} is negative");
        CheckId(line, ImpressionColumns.UserId, user);
        CheckId(line, ImpressionColumns.ItemId, item);
        CheckId(line, ImpressionColumns.ShopId, shop);
        CheckId(line, ImpressionColumns.CategoryId, category);
        CheckIds(line, ImpressionColumns.HistoryItemIds, historyItems);
        CheckIds(line, ImpressionColumns.HistoryShopIds, historyShops);
        CheckIds(line, ImpressionColumns.HistoryCategoryIds, historyCategories);
        if (!click && cart) throw new DataFormatException(file, line, ImpressionColumns.Cart, "add-to-cart without a click");
        if (!click && conversion) throw new DataFormatException(file, line, ImpressionColumns.Conversion, "conversion without a click");
    }

    private void CheckId(long line, string column, int id)
    {
        if (id < 1) throw new DataFormatException(file, line, column, $"id {id} is out of range (ids start at 1; 0 is reserved for padding)");
    }

    private void CheckIds(long line, string column, ReadOnlySpan<int> ids)
    {
        foreach (int id in ids) CheckId(line, column, id);
    }
}
