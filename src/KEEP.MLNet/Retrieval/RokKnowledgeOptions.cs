using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using Microsoft.ML;

namespace KEEP.MLNet.Retrieval;

/// <summary>Options of <see cref="RokKnowledgeEstimator"/>.</summary>
public sealed class RokKnowledgeOptions : IPluggableKnowledge
{
    /// <summary>A trained knowledge base. When null, <see cref="CheckpointPath"/> is loaded, or, if that is null too, <c>Fit</c> trains ROK on its input.</summary>
    public RokModel? Model { get; set; }
    /// <summary>A checkpoint written by <see cref="RokModel.Save(string)"/>.</summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Settings for training when neither a model nor a checkpoint is given.</summary>
    public RokOptions Training { get; set; } = new();
    /// <summary>Input column names.</summary>
    public ImpressionColumnNames InputColumns { get; set; } = new();
    /// <summary>Which knowledge to add. Default: both.</summary>
    public RokKnowledgeKinds Emit { get; set; } = RokKnowledgeKinds.Both;
    /// <summary>Name of the instance-wise column.</summary>
    public string InstanceColumnName { get; set; } = "ROK";
    /// <summary>Name of the feature-wise column.</summary>
    public string FieldsColumnName { get; set; } = "ROK_fields";
    /// <summary>Old name of <see cref="InstanceColumnName"/>.</summary>
    [Obsolete("Use InstanceColumnName (ML.NET's ...ColumnName convention).")]
    public string InstanceColumn { get => InstanceColumnName; set => InstanceColumnName = value; }
    /// <summary>Old name of <see cref="FieldsColumnName"/>.</summary>
    [Obsolete("Use FieldsColumnName (ML.NET's ...ColumnName convention).")]
    public string FieldsColumn { get => FieldsColumnName; set => FieldsColumnName = value; }
    /// <summary>Rows computed per call of the network in <c>Transform</c>.</summary>
    public int BlockSize { get; set; } = 2048;
    /// <summary>
    /// Seed of ROK training on <c>Fit</c>; null: drawn from the <c>MLContext</c> once, when the estimator is created from
    /// <c>mlContext.Transforms.RokKnowledge(...)</c>, else <see cref="RokOptions.Seed"/>.
    /// </summary>
    public int? Seed { get; set; }
    /// <summary>Stops ROK training on <c>Fit</c> when cancelled.</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>The columns <see cref="Emit"/> names: instance-wise, then feature-wise.</summary>
    public IReadOnlyList<string> OutputColumnNames
    {
        get
        {
            var columns = new List<string>();
            if (Emit.HasFlag(RokKnowledgeKinds.Instance)) columns.Add(InstanceColumnName);
            if (Emit.HasFlag(RokKnowledgeKinds.Fields)) columns.Add(FieldsColumnName);
            return columns;
        }
    }

    /// <summary>The knowledge estimator for a plug-in: it needs a trained <see cref="Model"/> or <see cref="CheckpointPath"/>.</summary>
    IEstimator<ITransformer> IPluggableKnowledge.CreatePluginEstimator()
    {
        if (Model == null && CheckpointPath == null) throw new ArgumentException("Give the plug-in a trained ROK knowledge base or its checkpoint.");
        return new RokKnowledgeEstimator(this);
    }
}
