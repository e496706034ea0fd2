using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Knowledge;

/// <summary>Options of <see cref="KnowledgeExtractionEstimator"/>.</summary>
public sealed class KnowledgeExtractionOptions
{
    /// <summary>A trained model to use. When null, <see cref="CheckpointPath"/> is loaded, or, if that is null too, <c>Fit</c> pre-trains on its input.</summary>
    public PretrainedModel? Model { get; set; }
    /// <summary>A checkpoint written by <see cref="PretrainedModel.Save(string)"/>, or a knowledge model file from <c>keep pretrain</c>.</summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Settings for pre-training when neither a model nor a checkpoint is given (paper defaults).</summary>
    public PretrainingOptions Pretraining { get; set; } = new();
    /// <summary>Input column names.</summary>
    public ImpressionColumnNames InputColumns { get; set; } = new();
    /// <summary>Which knowledge to add. Default: all.</summary>
    public KnowledgeKinds Emit { get; set; } = KnowledgeKinds.All;
    /// <summary>Which pre-training tasks' towers form K_ui, in the model's task order (paper Table 4); null: all.</summary>
    public IReadOnlyList<PretrainingTask>? InteractionTasks { get; set; }
    /// <summary>Name of the K_u column.</summary>
    public string UserKnowledgeColumnName { get; set; } = "K_u";
    /// <summary>Name of the K_i column.</summary>
    public string ItemKnowledgeColumnName { get; set; } = "K_i";
    /// <summary>Name of the K_ui column.</summary>
    public string InteractionKnowledgeColumnName { get; set; } = "K_ui";
    /// <summary>Old name of <see cref="UserKnowledgeColumnName"/>.</summary>
    [Obsolete("Use UserKnowledgeColumnName (ML.NET's ...ColumnName convention).")]
    public string UserKnowledgeColumn { get => UserKnowledgeColumnName; set => UserKnowledgeColumnName = value; }
    /// <summary>Old name of <see cref="ItemKnowledgeColumnName"/>.</summary>
    [Obsolete("Use ItemKnowledgeColumnName (ML.NET's ...ColumnName convention).")]
    public string ItemKnowledgeColumn { get => ItemKnowledgeColumnName; set => ItemKnowledgeColumnName = value; }
    /// <summary>Old name of <see cref="InteractionKnowledgeColumnName"/>.</summary>
    [Obsolete("Use InteractionKnowledgeColumnName (ML.NET's ...ColumnName convention).")]
    public string InteractionKnowledgeColumn { get => InteractionKnowledgeColumnName; set => InteractionKnowledgeColumnName = value; }
    /// <summary>Rows computed per call of the network in <c>Transform</c>.</summary>
    public int BlockSize { get; set; } = 2048;
    /// <summary>
    /// Seed of pre-training on <c>Fit</c>; null: drawn from the <c>MLContext</c> once, when the estimator is created from
    /// <c>mlContext.Transforms.KeepKnowledge(...)</c>, else <see cref="PretrainingOptions.Seed"/>.
    /// </summary>
    public int? Seed { get; set; }
    /// <summary>Stops pre-training on <c>Fit</c> when cancelled.</summary>
    public CancellationToken Cancellation { get; set; }
}
