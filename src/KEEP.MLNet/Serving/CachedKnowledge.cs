using KEEP.MLNet.Data;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Serving;

/// <summary>Which compressed knowledge replaces K(u, i) (paper Table 8).</summary>
public enum CachedKnowledgeLayout
{
    /// <summary>[K_u, K_i, K̂_u ⊙ K̂_i]: K_ui by decomposition.</summary>
    Decomposition,
    /// <summary>[K_u, K_i, K̂_uc]: K_ui by degeneration (item replaced by its category).</summary>
    Degeneration,
    /// <summary>[K̂_u, K̂_i, K̂_u ⊙ K̂_i, K̂_uc]: both, the paper's Eq. 6.</summary>
    Combined,
}

/// <summary>
/// K(u, i) assembled from one version of a knowledge store published from <see cref="Compression.CompressedKnowledge"/>:
/// three batched lookups per block of rows (users, items, (user, category) pairs), no network. Ids the
/// store lacks contribute zeros and are counted.
/// </summary>
public sealed class CachedKnowledge : IKnowledgeSource
{
    private readonly IKnowledgeStore _store;
    private readonly int _userDim, _itemDim, _d;
    private long _lookups, _misses;

    /// <summary>Reads <paramref name="version"/> of <paramref name="store"/> (not disposed by this source).</summary>
    public CachedKnowledge(IKnowledgeStore store, string version, CachedKnowledgeLayout layout = CachedKnowledgeLayout.Combined)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        Version = version ?? throw new ArgumentNullException(nameof(version));
        Layout = layout;
        _d = store.Dimension(version, KnowledgeTableKind.UserCategory);
        int user = store.Dimension(version, KnowledgeTableKind.User), item = store.Dimension(version, KnowledgeTableKind.Item);
        if (_d == 0 || user <= _d || item <= _d)
            throw new ArgumentException($"{store.Location}: version '{version}' does not hold compressed KEEP knowledge (user, item and user-category tables with [K, K̂] layouts).", nameof(version));
        _userDim = user - _d;
        _itemDim = item - _d;
        Width = layout == CachedKnowledgeLayout.Combined ? 4 * _d : _userDim + _itemDim + _d;
    }

    /// <summary>The version read.</summary>
    public string Version { get; }
    /// <summary>The layout.</summary>
    public CachedKnowledgeLayout Layout { get; }
    /// <inheritdoc/>
    public int Width { get; }
    /// <summary>Keys looked up so far.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);
    /// <summary>Keys the store did not have (served as zeros).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.Count;
        var users = Lookup(KnowledgeTableKind.User, [.. rows.UserId.ToArray().Select(u => (long)u)], _userDim + _d);
        var items = Lookup(KnowledgeTableKind.Item, [.. rows.ItemId.ToArray().Select(i => (long)i)], _itemDim + _d);
        var pairs = Layout == CachedKnowledgeLayout.Decomposition ? null
            : Lookup(KnowledgeTableKind.UserCategory, [.. Enumerable.Range(0, n).Select(r => KnowledgeTable.UserCategoryKey(rows.UserId[r], rows.CategoryId[r]))], _d);
        var result = new float[n * Width];
        for (int r = 0; r < n; r++)
        {
            var row = result.AsSpan(r * Width, Width);
            var user = users.AsSpan(r * (_userDim + _d), _userDim + _d);
            var item = items.AsSpan(r * (_itemDim + _d), _itemDim + _d);
            var userHat = user[_userDim..];
            var itemHat = item[_itemDim..];
            int offset = 0;
            if (Layout == CachedKnowledgeLayout.Combined)
            {
                userHat.CopyTo(row[offset..]);
                itemHat.CopyTo(row[(offset += _d)..]);
                offset += _d;
            }
            else
            {
                user[.._userDim].CopyTo(row[offset..]);
                item[.._itemDim].CopyTo(row[(offset += _userDim)..]);
                offset += _itemDim;
            }
            if (Layout != CachedKnowledgeLayout.Degeneration)
            {
                for (int k = 0; k < _d; k++) row[offset + k] = userHat[k] * itemHat[k];
                offset += _d;
            }
            if (pairs != null) pairs.AsSpan(r * _d, _d).CopyTo(row[offset..]);
        }
        return result;
    }

    private float[] Lookup(KnowledgeTableKind kind, long[] ids, int width)
    {
        var values = new float[ids.Length * width];
        var found = new bool[ids.Length];
        int hits = _store.GetMany(Version, kind, ids, values, found);
        Interlocked.Add(ref _lookups, ids.Length);
        Interlocked.Add(ref _misses, ids.Length - hits);
        return values;
    }
}
