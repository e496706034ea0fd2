using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Plugin;

/// <summary>Options of <see cref="KnowledgePluginEstimator{TModel}"/>.</summary>
public sealed class KnowledgePluginOptions
{
    /// <summary>Which knowledge to plug in (paper Table 3: K_u, +K_i, +K_ui). Default: all.</summary>
    public KnowledgeKinds Knowledge { get; set; } = KnowledgeKinds.All;
    /// <summary>Which pre-training tasks' K_ui to use (paper Table 4); null: every task of the model.</summary>
    public IReadOnlyList<PretrainingTask>? InteractionTasks { get; set; }
    /// <summary>The trainer's feature column; null: read from the trainer (ML.NET trainers expose it), else "Features".</summary>
    public string? FeatureColumnName { get; set; }
    /// <summary>
    /// More knowledge to plug in beside KEEP's — ROK's <c>RokKnowledgeOptions</c> (its <c>Emit</c> columns are
    /// appended after the KEEP ones) or any other <see cref="IPluggableKnowledge"/>; null: KEEP only. It reads
    /// the input columns its own options name.
    /// </summary>
    public IPluggableKnowledge? Rok { get; set; }
}
