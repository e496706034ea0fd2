using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>The knowledge a <c>PredictionEngine</c> returns for the paper's sizes: K_u (48), K_i (48), K_ui (3 × 64).</summary>
public sealed class KnowledgeOutput
{
    /// <summary>K_u (column <c>K_u</c>).</summary>
    [ColumnName("K_u"), VectorType(48)] public float[] UserKnowledge { get; set; } = [];
    /// <summary>K_i (column <c>K_i</c>).</summary>
    [ColumnName("K_i"), VectorType(48)] public float[] ItemKnowledge { get; set; } = [];
    /// <summary>K_ui (column <c>K_ui</c>).</summary>
    [ColumnName("K_ui"), VectorType(192)] public float[] InteractionKnowledge { get; set; } = [];
}
