using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace KEEP.MLNet.Serving;

/// <summary>
/// The embedded knowledge store: a folder with one sub-folder per version, each holding one memory-mapped
/// file per table and a manifest. No server; versions are immutable files, so reads take no locks and any
/// number of processes share them through the page cache. A version is written into a hidden folder and
/// appears by one atomic rename; retention renames the oldest away before deleting it. One publisher at a
/// time holds <c>.publish.lock</c>. Chosen over SQLite, RocksDB or FASTER because every version is written
/// once and then only read, by binary search over sorted ids: plain files do that with nothing to tune.
/// </summary>
public sealed class FileKnowledgeStore : IKnowledgeStore
{
    private const string ManifestName = "manifest.json";
    private readonly ConcurrentDictionary<string, MappedVersion> _open = new();

    /// <summary>Opens (creating if needed) the store in <paramref name="folder"/>.</summary>
    public FileKnowledgeStore(string folder, int maxVersions = 5)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVersions, 1);
        Location = Path.GetFullPath(folder);
        MaxVersions = maxVersions;
        try
        {
            Directory.CreateDirectory(Location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KnowledgeStoreUnavailableException($"{Location}: cannot create the knowledge store folder ({e.Message}).", e);
        }
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public int MaxVersions { get; }

    /// <inheritdoc/>
    public void Publish(string version, IReadOnlyCollection<KnowledgeTable> tables, CancellationToken cancellation = default)
    {
        KnowledgeVersionName.Validate(version);
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0) throw new ArgumentException("Publish at least one table.", nameof(tables));
        if (tables.Select(t => t.Kind).Distinct().Count() != tables.Count) throw new ArgumentException("Each table kind may appear once per version.", nameof(tables));
        using var publishLock = AcquirePublishLock();
        var existing = Folders();
        if (existing.Any(f => f.Name == version)) throw new ArgumentException($"{Location}: version '{version}' is already published; versions are immutable.", nameof(version));
        long sequence = existing.Count == 0 ? 1 : existing.Max(f => f.Sequence) + 1;
        string staging = Path.Combine(Location, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var table in tables)
            {
                cancellation.ThrowIfCancellationRequested();
                MappedKnowledgeTable.Write(Path.Combine(staging, FileName(table.Kind)), table);
            }
            var manifest = new Manifest(version, sequence, DateTime.UtcNow, [.. tables.Select(t => new ManifestTable(t.Kind, t.Dimension, t.Count))]);
            File.WriteAllText(Path.Combine(staging, ManifestName), JsonSerializer.Serialize(manifest));
            Directory.Move(staging, Path.Combine(Location, FolderName(sequence, version)));
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        RemoveOldVersions();
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Versions() => [.. Folders().Select(f => f.Name)];

    /// <inheritdoc/>
    public int Dimension(string version, KnowledgeTableKind kind) => Open(version).Tables.TryGetValue(kind, out var table) ? table.Dimension : 0;

    /// <inheritdoc/>
    public float[]? Get(string version, KnowledgeTableKind kind, long id)
    {
        if (!Open(version).Tables.TryGetValue(kind, out var table)) return null;
        var vector = new float[table.Dimension];
        return table.TryRead(id, vector) ? vector : null;
    }

    /// <inheritdoc/>
    public int GetMany(string version, KnowledgeTableKind kind, ReadOnlySpan<long> ids, Span<float> destination, Span<bool> found)
    {
        if (!Open(version).Tables.TryGetValue(kind, out var table)) throw new ArgumentException($"{Location}: version '{version}' has no {kind} table.", nameof(kind));
        int dimension = table.Dimension, hits = 0;
        if (destination.Length < ids.Length * dimension || found.Length < ids.Length) throw new ArgumentException("destination or found is too short.", nameof(destination));
        for (int i = 0; i < ids.Length; i++)
        {
            found[i] = table.TryRead(ids[i], destination.Slice(i * dimension, dimension));
            if (found[i]) hits++;
        }
        return hits;
    }

    /// <inheritdoc/>
    public KnowledgeTable ReadTable(string version, KnowledgeTableKind kind)
        => Open(version).Tables.TryGetValue(kind, out var table) ? table.ToTable(kind) : throw new ArgumentException($"{Location}: version '{version}' has no {kind} table.", nameof(kind));

    /// <summary>Unmaps every opened version.</summary>
    public void Dispose()
    {
        foreach (var version in _open.Values) version.Dispose();
        _open.Clear();
    }

    /// <summary>A version stays mapped once opened, so readers pinned to it keep working after retention removes its folder.</summary>
    private MappedVersion Open(string version)
    {
        if (_open.TryGetValue(version, out var mapped)) return mapped;
        var folder = Folders().FirstOrDefault(f => f.Name == version) ?? throw new KnowledgeVersionNotFoundException(Location, version, Versions());
        lock (_open)
        {
            if (_open.TryGetValue(version, out mapped)) return mapped;
            try
            {
                mapped = MappedVersion.Open(folder.Path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new KnowledgeVersionNotFoundException(Location, version, Versions());
            }
            _open[version] = mapped;
            return mapped;
        }
    }

    private void RemoveOldVersions()
    {
        var folders = Folders();
        foreach (var old in folders.Take(Math.Max(0, folders.Count - MaxVersions)))
        {
            string trash = Path.Combine(Location, $".removed-{Guid.NewGuid():N}");
            Directory.Move(old.Path, trash);
            try
            {
                Directory.Delete(trash, recursive: true);
            }
            catch (IOException)
            {
                // Still mapped by a reader on a system that forbids deleting mapped files: already invisible; removed next time.
            }
        }
        foreach (string leftover in Directory.EnumerateDirectories(Location, ".removed-*"))
        {
            try { Directory.Delete(leftover, recursive: true); } catch (IOException) { }
        }
    }

    private FileStream AcquirePublishLock()
    {
        string path = Path.Combine(Location, ".publish.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new KnowledgeStoreUnavailableException($"{Location}: another publisher holds {path}; try again when it has finished.", e);
        }
    }

    /// <summary>
    /// The published versions, oldest first. A directory listing taken while a publisher renames folders in the
    /// same directory (a new version moved in, an old one moved out) may miss entries — POSIX gives readdir no
    /// guarantee for entries renamed during it, and a reader was measured seeing no version at all — so the
    /// folders are listed until two listings agree.
    /// </summary>
    private List<VersionFolder> Folders()
    {
        var listed = ListFolders();
        for (int attempt = 0; attempt < 16; attempt++)
        {
            var again = ListFolders();
            if (again.Select(f => f.Name).SequenceEqual(listed.Select(f => f.Name), StringComparer.Ordinal)) return again;
            listed = again;
        }
        return listed;
    }

    private List<VersionFolder> ListFolders()
    {
        var folders = new List<VersionFolder>();
        foreach (string path in Directory.EnumerateDirectories(Location, "v*"))
        {
            string name = Path.GetFileName(path);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash < 2 || !long.TryParse(name.AsSpan(1, dash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)) continue;
            if (!File.Exists(Path.Combine(path, ManifestName))) continue;
            folders.Add(new VersionFolder(name[(dash + 1)..], sequence, path));
        }
        folders.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return folders;
    }

    private static string FolderName(long sequence, string version) => $"v{sequence:D10}-{version}";

    private static string FileName(KnowledgeTableKind kind) => kind.ToString().ToLowerInvariant() + ".bin";

    private sealed record VersionFolder(string Name, long Sequence, string Path);

    private sealed record ManifestTable(KnowledgeTableKind Kind, int Dimension, int Count);

    private sealed record Manifest(string Version, long Sequence, DateTime PublishedUtc, ManifestTable[] Tables);

    private sealed class MappedVersion(Dictionary<KnowledgeTableKind, MappedKnowledgeTable> tables) : IDisposable
    {
        public Dictionary<KnowledgeTableKind, MappedKnowledgeTable> Tables { get; } = tables;

        public static MappedVersion Open(string folder)
        {
            var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(folder, ManifestName)))
                ?? throw new InvalidDataException($"{folder}: empty manifest.");
            var tables = new Dictionary<KnowledgeTableKind, MappedKnowledgeTable>();
            try
            {
                foreach (var table in manifest.Tables) tables[table.Kind] = MappedKnowledgeTable.Open(Path.Combine(folder, FileName(table.Kind)));
            }
            catch
            {
                foreach (var table in tables.Values) table.Dispose();
                throw;
            }
            return new MappedVersion(tables);
        }

        public void Dispose()
        {
            foreach (var table in Tables.Values) table.Dispose();
        }
    }
}
