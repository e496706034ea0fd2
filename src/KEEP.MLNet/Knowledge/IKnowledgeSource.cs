using KEEP.MLNet.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// Where a KEEP DNN's plug-in gets K(u, i) for a block of rows: the pre-trained network itself
/// (<see cref="Plugin.ExactKnowledge"/>), or compressed knowledge read from a knowledge store
/// (<see cref="Serving.CachedKnowledge"/>).
/// </summary>
public interface IKnowledgeSource
{
    /// <summary>Floats per row.</summary>
    int Width { get; }

    /// <summary>K(u, i) for every row, row-major [rows × <see cref="Width"/>].</summary>
    float[] Compute(ImpressionBatch rows);
}
