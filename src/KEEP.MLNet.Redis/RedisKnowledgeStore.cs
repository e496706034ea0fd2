using System.Globalization;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace KEEP.MLNet.Serving;

/// <summary>
/// The knowledge store on Redis, for serving from many machines. Each table of a version is one Redis hash
/// (field = 8-byte id, value = the vector's float32 bytes) under <c>{prefix}:v:{version}:{kind}</c>, so
/// <see cref="GetMany"/> is one HMGET round trip. A version is written under staging keys, renamed into
/// place, and only then added to the sorted set <c>{prefix}:versions</c> that readers consult: a reader never
/// sees a half-written version. Retention removes a version from the set before deleting its keys. Connection
/// failures surface as <see cref="KnowledgeStoreUnavailableException"/> naming the server.
/// </summary>
public sealed class RedisKnowledgeStore : IKnowledgeStore
{
    private const int WriteBatch = 1000;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly string _prefix;
    private readonly Dictionary<(string, KnowledgeTableKind), int> _dimensions = [];

    /// <summary>Connects to <paramref name="configuration"/> (e.g. <c>127.0.0.1:6379</c>) with keys under <paramref name="prefix"/>.</summary>
    public RedisKnowledgeStore(string configuration, string prefix = "keep", int maxVersions = 5, int timeoutMilliseconds = 5000)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVersions, 1);
        Location = $"redis://{configuration}/{prefix}";
        MaxVersions = maxVersions;
        _prefix = prefix;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = timeoutMilliseconds;
        options.SyncTimeout = timeoutMilliseconds;
        options.ConnectRetry = 1;
        try
        {
            _connection = ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException e)
        {
            throw new KnowledgeStoreUnavailableException($"{Location}: cannot connect to Redis ({FirstLine(e.Message)}).", e);
        }
        _db = _connection.GetDatabase();
    }

    /// <summary>
    /// Lets <see cref="KnowledgeStore.Open"/> (and everything that opens a store by location: <c>CachedKnowledgeOptions.Store</c>,
    /// <c>keep publish --store</c>) open <c>redis://host:port[/prefix]</c> locations. Call once per process; repeating is harmless.
    /// </summary>
    public static void Register() => KnowledgeStore.Register("redis", (location, maxVersions) => FromUri(location, maxVersions));

    /// <summary>Parses <c>redis://host:port[/prefix]</c>.</summary>
    public static RedisKnowledgeStore FromUri(string uri, int maxVersions = 5)
    {
        var parsed = new Uri(uri);
        if (parsed.Scheme != "redis") throw new ArgumentException($"'{uri}' is not a redis:// address.", nameof(uri));
        string prefix = parsed.AbsolutePath.Trim('/');
        return new RedisKnowledgeStore($"{parsed.Host}:{(parsed.Port > 0 ? parsed.Port : 6379)}", prefix.Length == 0 ? "keep" : prefix, maxVersions);
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public int MaxVersions { get; }

    private RedisKey VersionsKey => $"{_prefix}:versions";
    private RedisKey TableKey(string version, KnowledgeTableKind kind) => $"{_prefix}:v:{version}:{kind}";
    private RedisKey MetaKey(string version) => $"{_prefix}:v:{version}:meta";

    /// <inheritdoc/>
    public void Publish(string version, IReadOnlyCollection<KnowledgeTable> tables, CancellationToken cancellation = default)
    {
        KnowledgeVersionName.Validate(version);
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0) throw new ArgumentException("Publish at least one table.", nameof(tables));
        if (tables.Select(t => t.Kind).Distinct().Count() != tables.Count) throw new ArgumentException("Each table kind may appear once per version.", nameof(tables));
        Run(() =>
        {
            if (IsPublished(version)) throw AlreadyPublished(version);
            string staging = $"{_prefix}:staging:{Guid.NewGuid():N}";
            var renames = new List<(RedisKey From, RedisKey To)>();
            try
            {
                foreach (var table in tables)
                {
                    RedisKey key = $"{staging}:{table.Kind}";
                    renames.Add((key, TableKey(version, table.Kind)));
                    for (int start = 0; start < table.Count; start += WriteBatch)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        int end = Math.Min(table.Count, start + WriteBatch);
                        var entries = new HashEntry[end - start];
                        for (int i = start; i < end; i++) entries[i - start] = new HashEntry(IdField(table.Ids[i]), MemoryMarshal.AsBytes(table.Vector(i)).ToArray());
                        _db.HashSet(key, entries);
                    }
                }
                RedisKey meta = $"{staging}:meta";
                renames.Add((meta, MetaKey(version)));
                _db.HashSet(meta, [.. tables.Select(t => new HashEntry(t.Kind.ToString(), t.Dimension))]);
                // The commit holds only if no other publisher committed this version meanwhile (Redis WATCH): of two
                // concurrent publishers of one version exactly one wins, and its tables are the version's tables.
                var transaction = _db.CreateTransaction();
                transaction.AddCondition(Condition.KeyNotExists(MetaKey(version)));
                transaction.AddCondition(Condition.SortedSetNotContains(VersionsKey, version));
                foreach (var (from, to) in renames) _ = transaction.KeyRenameAsync(from, to);
                long sequence = _db.StringIncrement($"{_prefix}:sequence");
                _ = transaction.SortedSetAddAsync(VersionsKey, version, sequence);
                if (!transaction.Execute()) throw AlreadyPublished(version);
            }
            catch
            {
                // Staging keys of a publish that did not commit (lost the race, cancelled, failed) are removed.
                _db.KeyDelete([.. renames.Select(r => r.From)]);
                throw;
            }
            RemoveOldVersions();
            return 0;
        });
    }

    private bool IsPublished(string version) => _db.SortedSetScore(VersionsKey, version) != null || _db.KeyExists(MetaKey(version));

    private ArgumentException AlreadyPublished(string version)
        => new($"{Location}: version '{version}' is already published; versions are immutable.", nameof(version));

    /// <inheritdoc/>
    public IReadOnlyList<string> Versions() => Run(() => _db.SortedSetRangeByRank(VersionsKey).Select(v => v.ToString()).ToList());

    /// <inheritdoc/>
    public int Dimension(string version, KnowledgeTableKind kind)
    {
        lock (_dimensions)
            if (_dimensions.TryGetValue((version, kind), out int known)) return known;
        var meta = Run(() => _db.HashGetAll(MetaKey(version)));
        if (meta.Length == 0) throw new KnowledgeVersionNotFoundException(Location, version, Versions());
        int dimension = 0;
        foreach (var entry in meta)
            if (entry.Name == kind.ToString()) dimension = (int)entry.Value;
        lock (_dimensions) _dimensions[(version, kind)] = dimension;
        return dimension;
    }

    /// <inheritdoc/>
    public float[]? Get(string version, KnowledgeTableKind kind, long id)
    {
        int dimension = Dimension(version, kind);
        if (dimension == 0) return null;
        var value = Run(() => _db.HashGet(TableKey(version, kind), IdField(id)));
        return value.IsNull ? null : MemoryMarshal.Cast<byte, float>((byte[])value!).ToArray();
    }

    /// <inheritdoc/>
    public int GetMany(string version, KnowledgeTableKind kind, ReadOnlySpan<long> ids, Span<float> destination, Span<bool> found)
    {
        int dimension = Dimension(version, kind);
        if (dimension == 0) throw new ArgumentException($"{Location}: version '{version}' has no {kind} table.", nameof(kind));
        if (destination.Length < ids.Length * dimension || found.Length < ids.Length) throw new ArgumentException("destination or found is too short.", nameof(destination));
        var fields = new RedisValue[ids.Length];
        for (int i = 0; i < ids.Length; i++) fields[i] = IdField(ids[i]);
        var values = Run(() => _db.HashGet(TableKey(version, kind), fields));
        int hits = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            var target = destination.Slice(i * dimension, dimension);
            found[i] = !values[i].IsNull;
            if (found[i])
            {
                MemoryMarshal.Cast<byte, float>((byte[])values[i]!).CopyTo(target);
                hits++;
            }
            else target.Clear();
        }
        // A version removed by retention between calls leaves every lookup empty: say so rather than serve zeros.
        if (hits == 0 && ids.Length > 0 && Run(() => _db.SortedSetScore(VersionsKey, version)) == null)
            throw new KnowledgeVersionNotFoundException(Location, version, Versions());
        return hits;
    }

    /// <inheritdoc/>
    public KnowledgeTable ReadTable(string version, KnowledgeTableKind kind)
    {
        int dimension = Dimension(version, kind);
        if (dimension == 0) throw new ArgumentException($"{Location}: version '{version}' has no {kind} table.", nameof(kind));
        var entries = Run(() => _db.HashGetAll(TableKey(version, kind)));
        var ids = new long[entries.Length];
        var values = new float[entries.Length * dimension];
        for (int i = 0; i < entries.Length; i++)
        {
            ids[i] = BitConverter.ToInt64((byte[])entries[i].Name!);
            MemoryMarshal.Cast<byte, float>((byte[])entries[i].Value!).CopyTo(values.AsSpan(i * dimension, dimension));
        }
        return new KnowledgeTable(kind, dimension, ids, values);
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _connection.Dispose();

    private void RemoveOldVersions()
    {
        long count = _db.SortedSetLength(VersionsKey);
        if (count <= MaxVersions) return;
        foreach (var old in _db.SortedSetRangeByRank(VersionsKey, 0, count - MaxVersions - 1))
        {
            string version = old.ToString();
            _db.SortedSetRemove(VersionsKey, old);
            _db.KeyDelete([MetaKey(version), .. Enum.GetValues<KnowledgeTableKind>().Select(k => TableKey(version, k))]);
        }
    }

    private static RedisValue IdField(long id) => BitConverter.GetBytes(id);

    private T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new KnowledgeStoreUnavailableException($"{Location}: Redis is unavailable ({FirstLine(e.Message)}).", e);
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim().ToString(CultureInfo.InvariantCulture);
}
