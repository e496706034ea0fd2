namespace KEEP.MLNet.Data;

/// <summary>Streaming statistics of one set of impressions: counts, label rates, users and their activity.</summary>
public sealed class DomainStatistics
{
    private readonly Dictionary<int, int> _impressionsPerUser = [];
    private readonly HashSet<int> _items = [];
    private long _rows, _clicks, _carts, _conversions, _historyEntries;

    /// <summary>Adds a batch.</summary>
    public void Add(ImpressionBatch batch)
    {
        for (int r = 0; r < batch.Count; r++)
        {
            _impressionsPerUser[batch.UserId[r]] = _impressionsPerUser.GetValueOrDefault(batch.UserId[r]) + 1;
            _items.Add(batch.ItemId[r]);
            if (batch.Click[r]) _clicks++;
            if (batch.Cart[r]) _carts++;
            if (batch.Conversion[r]) _conversions++;
        }
        _rows += batch.Count;
        _historyEntries += batch.HistoryLength;
    }

    /// <summary>Impressions of each user seen so far.</summary>
    public IReadOnlyDictionary<int, int> ImpressionsPerUser => _impressionsPerUser;

    /// <summary>Summarises what was added under <paramref name="name"/>.</summary>
    public DomainSummary Summarize(string name, int sparseThreshold)
    {
        var counts = _impressionsPerUser.Values.Order().ToArray();
        return new DomainSummary
        {
            Name = name,
            Rows = _rows,
            Users = counts.Length,
            Items = _items.Count,
            ClickRate = Rate(_clicks, _rows),
            CartRate = Rate(_carts, _rows),
            ConversionRate = Rate(_conversions, _rows),
            CartsPerClick = Rate(_carts, _clicks),
            ConversionsPerClick = Rate(_conversions, _clicks),
            MeanHistoryLength = Rate(_historyEntries, _rows),
            MedianImpressionsPerUser = counts.Length == 0 ? 0 : counts[counts.Length / 2],
            SparseUserShare = counts.Length == 0 ? 0 : (double)counts.Count(c => c <= sparseThreshold) / counts.Length,
            SparseUserThreshold = sparseThreshold,
        };
    }

    private static double Rate(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}

/// <summary>Statistics of one domain's impressions, as printed by <c>keep generate</c> and <c>keep demo</c>.</summary>
public sealed record DomainSummary
{
    /// <summary>Which set (super, sub_train, sub_test).</summary>
    public required string Name { get; init; }
    /// <summary>Impressions.</summary>
    public long Rows { get; init; }
    /// <summary>Distinct users.</summary>
    public int Users { get; init; }
    /// <summary>Distinct items shown.</summary>
    public int Items { get; init; }
    /// <summary>Clicks per impression.</summary>
    public double ClickRate { get; init; }
    /// <summary>Add-to-carts per impression.</summary>
    public double CartRate { get; init; }
    /// <summary>Conversions per impression.</summary>
    public double ConversionRate { get; init; }
    /// <summary>Add-to-carts per click.</summary>
    public double CartsPerClick { get; init; }
    /// <summary>Conversions per click.</summary>
    public double ConversionsPerClick { get; init; }
    /// <summary>Mean behaviour-sequence length.</summary>
    public double MeanHistoryLength { get; init; }
    /// <summary>Median impressions per user.</summary>
    public int MedianImpressionsPerUser { get; init; }
    /// <summary>Share of users with at most <see cref="SparseUserThreshold"/> impressions.</summary>
    public double SparseUserShare { get; init; }
    /// <summary>The threshold used for <see cref="SparseUserShare"/>.</summary>
    public int SparseUserThreshold { get; init; }
}
