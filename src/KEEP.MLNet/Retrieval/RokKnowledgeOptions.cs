using KEEP.MLNet.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>Options of <see cref="RokKnowledgeEstimator"/>.</summary>
public sealed class RokKnowledgeOptions
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
    public string InstanceColumn { get; set; } = "ROK";
    /// <summary>Name of the feature-wise column.</summary>
    public string FieldsColumn { get; set; } = "ROK_fields";
    /// <summary>Rows computed per call of the network in <c>Transform</c>.</summary>
    public int BlockSize { get; set; } = 2048;
}
