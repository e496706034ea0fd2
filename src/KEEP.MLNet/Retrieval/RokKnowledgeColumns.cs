using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>The columns a ROK transform adds, their widths, and the ONNX names they are computed under.</summary>
internal sealed record RokKnowledgeColumns(RokKnowledgeOptions Options, RokOptions Model)
{
    public string? Instance => Options.Emit.HasFlag(RokKnowledgeKinds.Instance) ? Options.InstanceColumnName : null;
    public string? Fields => Options.Emit.HasFlag(RokKnowledgeKinds.Fields) ? Options.FieldsColumnName : null;

    public int FieldsWidth => 4 * Model.EmbeddingDim;

    public IEnumerable<(string Name, int Width)> Selected()
    {
        if (Instance != null) yield return (Instance, Model.RepresentationDim);
        if (Fields != null) yield return (Fields, FieldsWidth);
    }

    public KnowledgeOnnxNames OnnxNames
    {
        get
        {
            var c = Options.InputColumns;
            return new(c.UserId, c.ItemId, c.ShopId, c.CategoryId, c.HistoryItemIds, c.HistoryShopIds, c.HistoryCategoryIds, "rok_unused_u", "rok_unused_i", "rok_unused_ui");
        }
    }

    public DataViewSchema OutputSchema(DataViewSchema input)
        => AddedColumns.Schema(input, [.. Selected().Select(c => (c.Name, (DataViewType)new VectorDataViewType(NumberDataViewType.Single, 1, c.Width)))]);

    public void ValidateInput(DataViewSchema input) => DataViewImpressions.ValidateFixedLength(input, Options.InputColumns, withLabels: false, Model.HistoryLength);
}
