using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// Several knowledge sources side by side — e.g. KEEP's K(u, i) and ROK's retrieval-oriented knowledge —
/// as one plug-in input, in the order given.
/// </summary>
public sealed class CombinedKnowledge : IKnowledgeSource, IPortableKnowledge
{
    private readonly IKnowledgeSource[] _parts;

    /// <summary>Combines the sources (not disposed by it).</summary>
    public CombinedKnowledge(params IKnowledgeSource[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0 || parts.Any(p => p is null)) throw new ArgumentException("Give at least one knowledge source, none null.", nameof(parts));
        var lengths = parts.OfType<IPortableKnowledge>().Select(p => p.HistoryLength).OfType<int>().Distinct().ToList();
        if (lengths.Count > 1) throw new ArgumentException($"The knowledge networks read different numbers of behaviours ({string.Join(", ", lengths)}); one history column cannot serve them all.", nameof(parts));
        _parts = parts;
        Width = parts.Sum(p => p.Width);
    }

    /// <summary>The sources, in order.</summary>
    public IReadOnlyList<IKnowledgeSource> Parts => _parts;

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new float[rows.Count * Width];
        int offset = 0;
        foreach (var part in _parts)
        {
            var values = part.Compute(rows);
            for (int r = 0; r < rows.Count; r++) values.AsSpan(r * part.Width, part.Width).CopyTo(result.AsSpan(r * Width + offset));
            offset += part.Width;
        }
        return result;
    }

    int? IPortableKnowledge.HistoryLength => Portable().Select(p => p.HistoryLength).FirstOrDefault(l => l != null);

    string IPortableKnowledge.AddTo(OnnxGraph g, KnowledgeOnnxNames names)
        => g.Node("Concat", [.. Portable().Select(p => p.AddTo(g, names))], OnnxAttribute.Int("axis", 1));

    private IEnumerable<IPortableKnowledge> Portable()
        => _parts.Select(p => p as IPortableKnowledge ?? throw new NotSupportedException($"{p.GetType().Name} cannot be written to ONNX (cached knowledge lives in its store); a model combining it cannot be saved."));
}
