namespace KEEP.MLNet.Serving;

/// <summary>
/// A versioned store of cached knowledge (the paper's General Knowledge Center): keys (table kind, id,
/// version) → float vector. A version becomes visible only once it is completely published; at most
/// <see cref="MaxVersions"/> versions are kept, the oldest removed only after a newer one is complete. A
/// reader that names a version reads that version, never a mixture.
/// </summary>
public interface IKnowledgeStore : IDisposable
{
    /// <summary>Where the store lives (a folder, or a redis:// address).</summary>
    string Location { get; }

    /// <summary>How many complete versions are kept.</summary>
    int MaxVersions { get; }

    /// <summary>Publishes <paramref name="tables"/> as <paramref name="version"/> (a new name), then removes versions beyond <see cref="MaxVersions"/>.</summary>
    void Publish(string version, IReadOnlyCollection<KnowledgeTable> tables, CancellationToken cancellation = default);

    /// <summary>Complete versions, oldest first.</summary>
    IReadOnlyList<string> Versions();

    /// <summary>The vector width of a table in a version; 0 when the version has no such table.</summary>
    /// <exception cref="KnowledgeVersionNotFoundException">The version is not in the store.</exception>
    int Dimension(string version, KnowledgeTableKind kind);

    /// <summary>The vector of one id, or null when the table has no such id.</summary>
    /// <exception cref="KnowledgeVersionNotFoundException">The version is not in the store.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The store's documented API (Get/GetMany); implementers are C#.")]
    float[]? Get(string version, KnowledgeTableKind kind, long id);

    /// <summary>
    /// The vectors of many ids at once into <paramref name="destination"/> (row-major, <see cref="Dimension"/>
    /// floats each); ids the table lacks get zeros and <c>found[i] = false</c>. Returns how many were found.
    /// </summary>
    /// <exception cref="KnowledgeVersionNotFoundException">The version is not in the store.</exception>
    int GetMany(string version, KnowledgeTableKind kind, ReadOnlySpan<long> ids, Span<float> destination, Span<bool> found);

    /// <summary>Every entry of one table of a version (to embed a small catalogue's knowledge in a model zip).</summary>
    /// <exception cref="KnowledgeVersionNotFoundException">The version is not in the store.</exception>
    /// <exception cref="ArgumentException">The version has no such table.</exception>
    KnowledgeTable ReadTable(string version, KnowledgeTableKind kind);
}

/// <summary>A version the store does not have (never published, or removed by retention).</summary>
public sealed class KnowledgeVersionNotFoundException(string location, string version, IReadOnlyList<string> available)
    : Exception($"{location}: knowledge version '{version}' is not in the store; it has {(available.Count == 0 ? "no versions" : string.Join(", ", available))}.")
{
    /// <summary>The missing version.</summary>
    public string Version { get; } = version;
}

/// <summary>The store cannot be reached or opened (server down, folder locked); the message says which and why.</summary>
public sealed class KnowledgeStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
