using System.Runtime.CompilerServices;
using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Experiments.Online;

/// <summary>
/// A knowledge source that computes each block's knowledge once while the block is alive: the experiment scores the
/// same held test rows (and fits alignments on the same held training rows) with several models that read one version.
/// </summary>
internal sealed class MemoizedKnowledge(IKnowledgeSource inner) : IKnowledgeSource
{
    private ConditionalWeakTable<ImpressionBatch, float[]> _computed = [];

    /// <inheritdoc/>
    public int Width => inner.Width;

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows) => _computed.GetValue(rows, inner.Compute);

    /// <summary>Forgets what was computed (its memory goes with it).</summary>
    public void Clear() => _computed = [];
}
