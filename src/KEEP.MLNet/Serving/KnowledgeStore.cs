using System.Collections.Concurrent;

namespace KEEP.MLNet.Serving;

/// <summary>Opens a knowledge store by location.</summary>
public static class KnowledgeStore
{
    private static readonly ConcurrentDictionary<string, Func<string, int, IKnowledgeStore>> Schemes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Lets <see cref="Open"/> open locations <c>scheme://…</c> with <paramref name="open"/> (location, versions kept).
    /// The Redis package registers <c>redis</c> with <c>RedisKnowledgeStore.Register()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The scheme is empty or not letters, digits, '+', '-' and '.'.</exception>
    public static void Register(string scheme, Func<string, int, IKnowledgeStore> open)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(open);
        if (!scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            throw new ArgumentException($"'{scheme}' is not a URI scheme.", nameof(scheme));
        Schemes[scheme] = open;
    }

    /// <summary>
    /// A location <c>scheme://…</c> opens the store registered for that scheme (<see cref="Register"/>; e.g.
    /// <c>redis://host:port[/prefix]</c> with the KEEP.MLNet.Redis package); anything else is a folder for a
    /// <see cref="FileKnowledgeStore"/> (created if missing).
    /// </summary>
    /// <exception cref="ArgumentException">The location names a scheme nothing registered.</exception>
    public static IKnowledgeStore Open(string location, int maxVersions = 5)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        int separator = location.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0) return new FileKnowledgeStore(location, maxVersions);
        string scheme = location[..separator];
        if (Schemes.TryGetValue(scheme, out var open)) return open(location, maxVersions);
        string hint = scheme.Equals("redis", StringComparison.OrdinalIgnoreCase)
            ? " Reference the KEEP.MLNet.Redis package and call RedisKnowledgeStore.Register() once."
            : "";
        throw new ArgumentException($"'{location}' names a {scheme}:// knowledge store, but no store is registered for '{scheme}'.{hint}", nameof(location));
    }
}
