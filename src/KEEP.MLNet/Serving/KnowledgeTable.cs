namespace KEEP.MLNet.Serving;

/// <summary>What a cached knowledge table is keyed by (paper §4: N_u + N_i + N_uc entries).</summary>
public enum KnowledgeTableKind
{
    /// <summary>K̂_u, by user id.</summary>
    User = 0,
    /// <summary>K̂_i, by item id.</summary>
    Item = 1,
    /// <summary>K̂_uc, by (user id, category id); see <see cref="KnowledgeTable.UserCategoryKey"/>.</summary>
    UserCategory = 2,
}

/// <summary>
/// One table of cached knowledge: ids and, row-major, one vector of <see cref="Dimension"/> floats per id.
/// Ids are unique; stores keep them sorted.
/// </summary>
public sealed class KnowledgeTable
{
    /// <summary>Creates a table; ids are sorted (with their vectors) and checked for duplicates.</summary>
    public KnowledgeTable(KnowledgeTableKind kind, int dimension, long[] ids, float[] values)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(values);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown table kind.");
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The vector dimension must be positive.");
        if ((long)ids.Length * dimension != values.Length)
            throw new ArgumentException($"{kind} table: {ids.Length} ids × {dimension} floats need {(long)ids.Length * dimension} values; got {values.Length}.", nameof(values));
        int bad = values.AsSpan().IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
            throw new ArgumentException($"{kind} table: id {ids[bad / dimension]} has {values[bad]} at component {bad % dimension}; knowledge vectors must be finite (a NaN would poison every model that reads it).", nameof(values));
        Kind = kind;
        Dimension = dimension;
        (Ids, Values) = Sorted(kind, dimension, ids, values);
    }

    /// <summary>The key kind.</summary>
    public KnowledgeTableKind Kind { get; }
    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }
    /// <summary>Sorted, unique ids.</summary>
    public long[] Ids { get; }
    /// <summary>Vectors, row-major in id order.</summary>
    public float[] Values { get; }
    /// <summary>Number of entries.</summary>
    public int Count => Ids.Length;

    /// <summary>The vector of entry <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Vector(int index) => Values.AsSpan(index * Dimension, Dimension);

    /// <summary>The id of a (user, category) pair in a <see cref="KnowledgeTableKind.UserCategory"/> table.</summary>
    public static long UserCategoryKey(int userId, int categoryId) => ((long)userId << 32) | (uint)categoryId;

    private static (long[], float[]) Sorted(KnowledgeTableKind kind, int dimension, long[] ids, float[] values)
    {
        bool sorted = true;
        for (int i = 1; i < ids.Length && sorted; i++) sorted = ids[i - 1] < ids[i];
        if (sorted) return (ids, values);
        var order = Enumerable.Range(0, ids.Length).ToArray();
        var keys = (long[])ids.Clone();
        Array.Sort(keys, order);
        var sortedValues = new float[values.Length];
        for (int i = 0; i < order.Length; i++)
        {
            if (i > 0 && keys[i] == keys[i - 1]) throw new ArgumentException($"{kind} table: id {keys[i]} appears more than once.", nameof(ids));
            values.AsSpan(order[i] * dimension, dimension).CopyTo(sortedValues.AsSpan(i * dimension, dimension));
        }
        return (keys, sortedValues);
    }
}
