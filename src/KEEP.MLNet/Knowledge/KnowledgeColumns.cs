using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Knowledge;

/// <summary>The knowledge columns an extraction adds: names, widths and types (identical before and after a save).</summary>
internal sealed record KnowledgeColumns(KnowledgeExtractionOptions Options, PretrainingOptions Model)
{
    public IEnumerable<(KnowledgeKinds Kind, string Name, int Width)> Selected()
    {
        if (Options.Emit.HasFlag(KnowledgeKinds.User)) yield return (KnowledgeKinds.User, Options.UserKnowledgeColumnName, Model.UserEmbeddingDim);
        if (Options.Emit.HasFlag(KnowledgeKinds.Item)) yield return (KnowledgeKinds.Item, Options.ItemKnowledgeColumnName, 3 * Model.ItemEmbeddingDim);
        if (Options.Emit.HasFlag(KnowledgeKinds.Interaction)) yield return (KnowledgeKinds.Interaction, Options.InteractionKnowledgeColumnName, Model.TowerLayers[^1] * TaskIndices.Count);
    }

    /// <summary>Indices (in the model's task order) of the towers that form K_ui.</summary>
    public IReadOnlyList<int> TaskIndices
    {
        get
        {
            var tasks = Options.InteractionTasks ?? Model.Tasks;
            var unknown = tasks.Except(Model.Tasks).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"The knowledge model has no {string.Join(", ", unknown)} tower; its tasks are {string.Join(", ", Model.Tasks)}.");
            if (tasks.Count == 0) throw new ArgumentException("InteractionTasks must name at least one task.");
            return [.. Model.Tasks.Select((task, index) => (task, index)).Where(p => tasks.Contains(p.task)).Select(p => p.index)];
        }
    }

    /// <summary>The vector type ML.NET's ONNX transformer gives an [N, width] output: dimensions (1, width).</summary>
    public static VectorDataViewType TypeOf(int width) => new(NumberDataViewType.Single, 1, width);

    public KnowledgeOnnxNames OnnxNames => new(
        Options.InputColumns.UserId, Options.InputColumns.ItemId, Options.InputColumns.ShopId, Options.InputColumns.CategoryId,
        Options.InputColumns.HistoryItemIds, Options.InputColumns.HistoryShopIds, Options.InputColumns.HistoryCategoryIds,
        Options.UserKnowledgeColumnName, Options.ItemKnowledgeColumnName, Options.InteractionKnowledgeColumnName);

    /// <summary>The input schema plus the knowledge columns.</summary>
    public DataViewSchema OutputSchema(DataViewSchema input)
        => Data.AddedColumns.Schema(input, [.. Selected().Select(c => (c.Name, (DataViewType)TypeOf(c.Width)))]);

    /// <summary>Checks the input: ids Int32, histories fixed-length vectors of the model's history length.</summary>
    public void ValidateInput(DataViewSchema input) => Data.DataViewImpressions.ValidateFixedLength(input, Options.InputColumns, withLabels: false, Model.HistoryLength);
}
