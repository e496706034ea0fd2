namespace KEEP.MLNet.Serving;

/// <summary>
/// One version of cached knowledge held in memory (what a self-contained model embeds): the same lookups
/// as the file and Redis stores, nothing to open or connect to.
/// </summary>
internal sealed class MemoryKnowledgeStore : IKnowledgeStore
{
    private readonly string _version;
    private readonly Dictionary<KnowledgeTableKind, (KnowledgeTable Table, Dictionary<long, int> Index)> _tables;

    public MemoryKnowledgeStore(string version, IEnumerable<KnowledgeTable> tables)
    {
        _version = version;
        _tables = tables.ToDictionary(t => t.Kind, t => (t, t.Ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i)));
    }

    public string Location => "memory";

    public int MaxVersions => 1;

    public IReadOnlyCollection<KnowledgeTable> Tables => [.. _tables.Values.Select(t => t.Table)];

    public void Publish(string version, IReadOnlyCollection<KnowledgeTable> tables, CancellationToken cancellation = default)
        => throw new NotSupportedException("Embedded knowledge is fixed when the model is built.");

    public IReadOnlyList<string> Versions() => [_version];

    public int Dimension(string version, KnowledgeTableKind kind) => TablesOf(version).TryGetValue(kind, out var t) ? t.Table.Dimension : 0;

    public float[]? Get(string version, KnowledgeTableKind kind, long id)
        => TablesOf(version).TryGetValue(kind, out var t) && t.Index.TryGetValue(id, out int i) ? t.Table.Vector(i).ToArray() : null;

    public int GetMany(string version, KnowledgeTableKind kind, ReadOnlySpan<long> ids, Span<float> destination, Span<bool> found)
    {
        var (table, index) = ReadEntry(version, kind);
        int d = table.Dimension, hits = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            var target = destination.Slice(i * d, d);
            found[i] = index.TryGetValue(ids[i], out int row);
            if (found[i])
            {
                table.Vector(row).CopyTo(target);
                hits++;
            }
            else target.Clear();
        }
        return hits;
    }

    public KnowledgeTable ReadTable(string version, KnowledgeTableKind kind) => ReadEntry(version, kind).Table;

    public void Dispose()
    {
    }

    private (KnowledgeTable Table, Dictionary<long, int> Index) ReadEntry(string version, KnowledgeTableKind kind)
        => TablesOf(version).TryGetValue(kind, out var t) ? t : throw new ArgumentException($"Embedded knowledge has no {kind} table.", nameof(kind));

    private Dictionary<KnowledgeTableKind, (KnowledgeTable Table, Dictionary<long, int> Index)> TablesOf(string version)
        => version == _version ? _tables : throw new KnowledgeVersionNotFoundException(Location, version, [_version]);
}
