using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// The knowledge a <c>PredictionEngine</c> returns, sized by the model it runs: K_u (the user embedding width), K_i
/// (three item-feature widths) and K_ui (the last tower width times the tasks) — 48, 48 and 192 for the paper's network.
/// </summary>
public sealed class KnowledgeOutput
{
    /// <summary>K_u (column <c>K_u</c>).</summary>
    [ColumnName("K_u")] public float[] UserKnowledge { get; set; } = [];
    /// <summary>K_i (column <c>K_i</c>).</summary>
    [ColumnName("K_i")] public float[] ItemKnowledge { get; set; } = [];
    /// <summary>K_ui (column <c>K_ui</c>).</summary>
    [ColumnName("K_ui")] public float[] InteractionKnowledge { get; set; } = [];
}
