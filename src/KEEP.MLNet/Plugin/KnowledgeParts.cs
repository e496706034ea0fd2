using KEEP.MLNet.Knowledge;
namespace KEEP.MLNet.Plugin;

/// <summary>The single sources a knowledge source is made of (a <see cref="CombinedKnowledge"/> opened up, recursively).</summary>
public static class KnowledgeParts
{
    /// <summary>The sources in plug-in input order; empty for null.</summary>
    public static IReadOnlyList<IKnowledgeSource> Of(IKnowledgeSource? source)
    {
        var parts = new List<IKnowledgeSource>();
        Add(source, parts);
        return parts;
    }

    private static void Add(IKnowledgeSource? source, List<IKnowledgeSource> parts)
    {
        if (source is CombinedKnowledge combined)
            foreach (var part in combined.Parts) Add(part, parts);
        else if (source != null)
            parts.Add(source);
    }
}
