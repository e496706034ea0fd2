using System.Reflection;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// The kinds of knowledge a checkpoint can carry, found once among the library's types that implement
/// <see cref="IArchivedKnowledge"/>: a checkpoint asks this registry, by the kind name it recorded, to write or
/// read a source, and so depends on no concrete kind.
/// </summary>
internal static class KnowledgeArchive
{
    private delegate LoadedKnowledge Loader(Stream model, string name, string settings);

    private sealed record Kind(string Name, Type Type, Loader Load);

    private static readonly Lazy<IReadOnlyList<Kind>> Kinds = new(Discover);

    /// <summary>The kind names the library knows, for errors.</summary>
    public static IEnumerable<string> Names => Kinds.Value.Select(k => k.Name);

    /// <summary>The kind name of <paramref name="source"/>, or null when it cannot travel in a checkpoint.</summary>
    public static string? KindOf(IKnowledgeSource source)
        => source is IArchivedKnowledge ? Kinds.Value.FirstOrDefault(k => k.Type == source.GetType())?.Name : null;

    /// <summary>Reads a source of kind <paramref name="kind"/> from its saved model.</summary>
    public static LoadedKnowledge Load(string kind, Stream model, string name, string settings)
    {
        var found = Kinds.Value.FirstOrDefault(k => k.Name == kind)
            ?? throw new InvalidDataException($"unknown knowledge kind '{kind}' in {name}; this KEEP.MLNet knows {string.Join(", ", Names)}");
        return found.Load(model, name, settings);
    }

    private static List<Kind> Discover()
    {
        var describe = typeof(KnowledgeArchive).GetMethod(nameof(Describe), BindingFlags.NonPublic | BindingFlags.Static)!;
        var kinds = typeof(KnowledgeArchive).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IArchivedKnowledge).IsAssignableFrom(t))
            .Select(t => (Kind)describe.MakeGenericMethod(t).Invoke(null, null)!)
            .OrderBy(k => k.Name, StringComparer.Ordinal)
            .ToList();
        var twice = kinds.GroupBy(k => k.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice != null) throw new InvalidOperationException($"Two knowledge kinds are named '{twice.Key}': {string.Join(", ", twice.Select(k => k.Type.Name))}.");
        return kinds;
    }

    // The generic bridge to a kind's static members.
    private static Kind Describe<T>() where T : IArchivedKnowledge => new(T.ArchiveKind, typeof(T), T.Load);
}
