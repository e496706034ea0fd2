namespace KEEP.MLNet.Data;

/// <summary>
/// A block of impressions held column by column, with the behaviour sequences in compressed-row form
/// (<see cref="HistoryOffsets"/>[r] .. [r + 1] delimits row r). It is the unit that files are written and
/// read in and that training turns into tensors, so no code path works row object by row object.
/// </summary>
public sealed class ImpressionBatch
{
    private int[] _day, _user, _item, _shop, _category;
    private bool[] _click, _cart, _conversion;
    private int[] _offsets;
    private int[] _historyItems, _historyShops, _historyCategories;

    /// <summary>Creates an empty batch with room for <paramref name="capacity"/> rows.</summary>
    public ImpressionBatch(int capacity = 1024) : this(capacity, capacity * 8)
    {
    }

    /// <summary>Creates an empty batch with room for <paramref name="capacity"/> rows holding <paramref name="historyCapacity"/> behaviours in all.</summary>
    public ImpressionBatch(int capacity, int historyCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegative(historyCapacity);
        _day = new int[capacity]; _user = new int[capacity]; _item = new int[capacity];
        _shop = new int[capacity]; _category = new int[capacity];
        _click = new bool[capacity]; _cart = new bool[capacity]; _conversion = new bool[capacity];
        _offsets = new int[capacity + 1];
        _historyItems = new int[historyCapacity]; _historyShops = new int[historyCapacity]; _historyCategories = new int[historyCapacity];
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Total number of behaviour entries over all rows.</summary>
    public int HistoryLength => _offsets[Count];

    /// <summary>Day of each row.</summary>
    public ReadOnlySpan<int> Day => _day.AsSpan(0, Count);
    /// <summary>User id of each row.</summary>
    public ReadOnlySpan<int> UserId => _user.AsSpan(0, Count);
    /// <summary>Item id of each row.</summary>
    public ReadOnlySpan<int> ItemId => _item.AsSpan(0, Count);
    /// <summary>Shop id of each row.</summary>
    public ReadOnlySpan<int> ShopId => _shop.AsSpan(0, Count);
    /// <summary>Category id of each row.</summary>
    public ReadOnlySpan<int> CategoryId => _category.AsSpan(0, Count);
    /// <summary>Click label of each row.</summary>
    public ReadOnlySpan<bool> Click => _click.AsSpan(0, Count);
    /// <summary>Cart label of each row.</summary>
    public ReadOnlySpan<bool> Cart => _cart.AsSpan(0, Count);
    /// <summary>Conversion label of each row.</summary>
    public ReadOnlySpan<bool> Conversion => _conversion.AsSpan(0, Count);
    /// <summary>Row r's behaviours are entries HistoryOffsets[r] up to HistoryOffsets[r + 1]; Count + 1 values.</summary>
    public ReadOnlySpan<int> HistoryOffsets => _offsets.AsSpan(0, Count + 1);
    /// <summary>All behaviour item ids, row after row.</summary>
    public ReadOnlySpan<int> HistoryItemIds => _historyItems.AsSpan(0, HistoryLength);
    /// <summary>All behaviour shop ids, row after row.</summary>
    public ReadOnlySpan<int> HistoryShopIds => _historyShops.AsSpan(0, HistoryLength);
    /// <summary>All behaviour category ids, row after row.</summary>
    public ReadOnlySpan<int> HistoryCategoryIds => _historyCategories.AsSpan(0, HistoryLength);

    /// <summary>The behaviour item ids of one row.</summary>
    public ReadOnlySpan<int> HistoryItemsOf(int row) => _historyItems.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);
    /// <summary>The behaviour shop ids of one row.</summary>
    public ReadOnlySpan<int> HistoryShopsOf(int row) => _historyShops.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);
    /// <summary>The behaviour category ids of one row.</summary>
    public ReadOnlySpan<int> HistoryCategoriesOf(int row) => _historyCategories.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>Appends one impression. The three history spans must have the same length.</summary>
    public void Add(int day, int userId, int itemId, int shopId, int categoryId,
        ReadOnlySpan<int> historyItems, ReadOnlySpan<int> historyShops, ReadOnlySpan<int> historyCategories,
        bool click, bool cart, bool conversion)
    {
        if (historyShops.Length != historyItems.Length || historyCategories.Length != historyItems.Length)
            throw new ArgumentException("The item, shop and category histories must have the same length.");
        int row = Count;
        if (row == _day.Length) GrowRows();
        int start = _offsets[row], end = start + historyItems.Length;
        if (end > _historyItems.Length) GrowHistory(end);
        _day[row] = day; _user[row] = userId; _item[row] = itemId; _shop[row] = shopId; _category[row] = categoryId;
        _click[row] = click; _cart[row] = cart; _conversion[row] = conversion;
        historyItems.CopyTo(_historyItems.AsSpan(start));
        historyShops.CopyTo(_historyShops.AsSpan(start));
        historyCategories.CopyTo(_historyCategories.AsSpan(start));
        _offsets[row + 1] = end;
        Count = row + 1;
    }

    /// <summary>Appends row <paramref name="row"/> of another batch.</summary>
    public void AddRow(ImpressionBatch source, int row)
        => Add(source._day[row], source._user[row], source._item[row], source._shop[row], source._category[row],
            source.HistoryItemsOf(row), source.HistoryShopsOf(row), source.HistoryCategoriesOf(row),
            source._click[row], source._cart[row], source._conversion[row]);

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> as a new batch of exactly their size.</summary>
    public ImpressionBatch Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (start + count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count} are beyond the batch's {Count}.");
        var slice = new ImpressionBatch(count, _offsets[start + count] - _offsets[start]);
        for (int r = start; r < start + count; r++) slice.AddRow(this, r);
        return slice;
    }

    /// <summary>Empties the batch, keeping its buffers.</summary>
    public void Clear() => Count = 0;

    private void GrowRows()
    {
        int capacity = _day.Length * 2;
        Array.Resize(ref _day, capacity); Array.Resize(ref _user, capacity); Array.Resize(ref _item, capacity);
        Array.Resize(ref _shop, capacity); Array.Resize(ref _category, capacity);
        Array.Resize(ref _click, capacity); Array.Resize(ref _cart, capacity); Array.Resize(ref _conversion, capacity);
        Array.Resize(ref _offsets, capacity + 1);
    }

    private void GrowHistory(int needed)
    {
        int capacity = Math.Max(needed, _historyItems.Length * 2);
        Array.Resize(ref _historyItems, capacity);
        Array.Resize(ref _historyShops, capacity);
        Array.Resize(ref _historyCategories, capacity);
    }
}
