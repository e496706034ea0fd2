using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving.Compression;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Serving;

/// <summary>
/// Compressed knowledge held inside the model, for small catalogues: the user, item and user-category
/// tables of one version are copied out of the store (or taken from a <see cref="CompressedKnowledge"/>)
/// and, when the model is saved, written into its ONNX graph as lookup tables. The zip is then
/// self-contained: no store at prediction time, the version frozen in the file.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The in-memory store holds no unmanaged resources; its Dispose does nothing.")]
public sealed class EmbeddedKnowledge : IKnowledgeSource, IPortableKnowledge
{
    /// <summary>Default limit on embedded entries (N_u + N_i + N_uc): beyond it, serve from a store.</summary>
    public const long DefaultMaxEntries = 2_000_000;

    private readonly MemoryKnowledgeStore _tables;
    private readonly CachedKnowledge _lookups;

    private EmbeddedKnowledge(string version, IReadOnlyCollection<KnowledgeTable> tables, CachedKnowledgeLayout layout, long maxEntries)
    {
        Entries = tables.Sum(t => (long)t.Count);
        if (Entries > maxEntries)
            throw new ArgumentException($"Version '{version}' holds {Entries:N0} entries, more than the {maxEntries:N0} allowed in a model; serve it from the store (KeepCachedKnowledge) or raise maxEntries.", nameof(maxEntries));
        _tables = new MemoryKnowledgeStore(version, tables);
        _lookups = new CachedKnowledge(_tables, version, layout);
        Version = version;
    }

    /// <summary>Copies <paramref name="version"/> of <paramref name="store"/> (the store is not kept).</summary>
    public static EmbeddedKnowledge FromStore(IKnowledgeStore store, string version, CachedKnowledgeLayout layout = CachedKnowledgeLayout.Combined, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(version);
        var kinds = Enum.GetValues<KnowledgeTableKind>().Where(k => store.Dimension(version, k) > 0).ToList();
        return new EmbeddedKnowledge(version, [.. kinds.Select(k => store.ReadTable(version, k))], layout, maxEntries);
    }

    /// <summary>Embeds freshly compressed knowledge, named <paramref name="version"/>.</summary>
    public static EmbeddedKnowledge FromCompressed(CompressedKnowledge compressed, string version = "embedded", CachedKnowledgeLayout layout = CachedKnowledgeLayout.Combined, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        return new EmbeddedKnowledge(version, compressed.ToTables(), layout, maxEntries);
    }

    /// <summary>The version embedded.</summary>
    public string Version { get; }
    /// <summary>Entries embedded (N_u + N_i + N_uc).</summary>
    public long Entries { get; }
    /// <summary>The layout.</summary>
    public CachedKnowledgeLayout Layout => _lookups.Layout;
    /// <inheritdoc/>
    public int Width => _lookups.Width;
    /// <summary>Keys looked up so far.</summary>
    public long Lookups => _lookups.Lookups;
    /// <summary>Keys not embedded (served as zeros).</summary>
    public long Misses => _lookups.Misses;

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows) => _lookups.Compute(rows);

    /// <summary>The in-memory store and the lookups over it (what a self-contained cached transform serves from).</summary>
    internal (IKnowledgeStore Store, CachedKnowledge Lookups) Parts => (_tables, _lookups);

    /// <summary>A model from the four Int32 [N, 1] id inputs to <paramref name="output"/> [N, Width].</summary>
    internal byte[] Export(ImpressionColumnNames columns, string output)
    {
        var g = new OnnxGraph();
        foreach (string id in columns.IdColumns) g.Input(id, OnnxType.Int32, null, 1);
        var names = new KnowledgeOnnxNames(columns.UserId, columns.ItemId, columns.ShopId, columns.CategoryId,
            columns.HistoryItemIds, columns.HistoryShopIds, columns.HistoryCategoryIds, "unused_u", "unused_i", "unused_ui");
        g.NodeTo(output, "Identity", [((IPortableKnowledge)this).AddTo(g, names)]);
        g.Output(output, OnnxType.Float, null, Width);
        g.Metadata("keep.model", $"embedded cached knowledge, version {Version}, layout {Layout}");
        return g.ToModel("keep_embedded_knowledge");
    }

    int? IPortableKnowledge.HistoryLength => null;

    /// <summary>The same assembly as <see cref="CachedKnowledge.Compute"/> in ONNX: id → row (LabelEncoder; unknown → a zero row), Gather, product, Concat.</summary>
    string IPortableKnowledge.AddTo(OnnxGraph g, KnowledgeOnnxNames names)
    {
        var user = _tables.ReadTable(Version, KnowledgeTableKind.User);
        var item = _tables.ReadTable(Version, KnowledgeTableKind.Item);
        int d = _tables.Dimension(Version, KnowledgeTableKind.UserCategory);
        string userId = Ids(g, names.UserId), itemId = Ids(g, names.ItemId), categoryId = Ids(g, names.CategoryId);
        string userRow = Row(g, userId, user.Ids), itemRow = Row(g, itemId, item.Ids);
        string Part(KnowledgeTable table, string row, int from, int width) => g.Node("Gather", [Columns(g, table, from, width), row]);
        string userK = Part(user, userRow, 0, user.Dimension - d), userHat = Part(user, userRow, user.Dimension - d, d);
        string itemK = Part(item, itemRow, 0, item.Dimension - d), itemHat = Part(item, itemRow, item.Dimension - d, d);
        string UserCategory()
        {
            var pairs = _tables.ReadTable(Version, KnowledgeTableKind.UserCategory);
            string key = g.Node("Add", [g.Node("Mul", [userId, g.Longs("shift32", [1L << 32], 1)]), categoryId]);
            return Part(pairs, Row(g, key, pairs.Ids), 0, d);
        }
        string product = g.Node("Mul", [userHat, itemHat]);
        string[] parts = Layout switch
        {
            CachedKnowledgeLayout.Combined => [userHat, itemHat, product, UserCategory()],
            CachedKnowledgeLayout.Decomposition => [userK, itemK, product],
            _ => [userK, itemK, UserCategory()],
        };
        return g.Node("Concat", parts, OnnxAttribute.Int("axis", 1));
    }

    /// <summary>An Int32 [N, 1] id column as Int64 [N].</summary>
    private static string Ids(OnnxGraph g, string input)
        => g.Node("Squeeze", [g.Node("Cast", [input], OnnxAttribute.Int("to", (int)OnnxType.Int64)), g.Longs("axis1", [1], 1)]);

    /// <summary>Key → table row + 1; unknown keys → row 0 (zeros).</summary>
    private static string Row(OnnxGraph g, string keys, long[] ids)
        => g.Node("LabelEncoder", [keys], OnnxAttribute.Ints("keys_int64s", ids),
            OnnxAttribute.Ints("values_int64s", [.. Enumerable.Range(1, ids.Length).Select(i => (long)i)]), OnnxAttribute.Int("default_int64", 0));

    /// <summary>Columns [from, from + width) of every vector, below a zero row.</summary>
    private static string Columns(OnnxGraph g, KnowledgeTable table, int from, int width)
    {
        var values = new float[(table.Count + 1) * width];
        for (int i = 0; i < table.Count; i++) table.Vector(i).Slice(from, width).CopyTo(values.AsSpan((i + 1) * width, width));
        return g.Weights("embedded_table", values, table.Count + 1, width);
    }
}
