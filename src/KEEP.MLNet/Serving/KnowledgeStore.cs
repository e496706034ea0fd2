namespace KEEP.MLNet.Serving;

/// <summary>Opens a knowledge store by location.</summary>
public static class KnowledgeStore
{
    /// <summary>
    /// <c>redis://host:port[/prefix]</c> opens a <see cref="RedisKnowledgeStore"/>; anything else is a folder for a
    /// <see cref="FileKnowledgeStore"/> (created if missing).
    /// </summary>
    public static IKnowledgeStore Open(string location, int maxVersions = 5)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        return location.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            ? RedisKnowledgeStore.FromUri(location, maxVersions)
            : new FileKnowledgeStore(location, maxVersions);
    }
}
