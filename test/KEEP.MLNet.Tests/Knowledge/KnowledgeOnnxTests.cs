using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KEEP.MLNet.Tests.Knowledge;

[TestClass]
public sealed class KnowledgeOnnxTests
{
    internal static readonly KnowledgeOnnxNames Names = new("UserId", "ItemId", "ShopId", "CategoryId", "HistoryItemIds", "HistoryShopIds", "HistoryCategoryIds", "K_u", "K_i", "K_ui");

    [TestMethod]
    public void Onnx_export_matches_torchsharp_on_1000_rows()
    {
        var model = TestModels.TinyModel;
        var rows = new ImpressionBatch(1000);
        foreach (var b in TestModels.HoldoutRows())
            for (int r = 0; r < b.Count && rows.Count < 1000; r++) rows.AddRow(b, r);
        // Unknown ids must take the out-of-vocabulary path in both.
        rows.Add(0, 987_654, 876_543, 765_432, 654_321, [543_210, 1], [432_109, 1], [321_098, 1], false, false, false);

        using var session = new InferenceSession(KnowledgeOnnxExporter.Export(model, Names));
        var outputs = Run(session, rows, model.Options.HistoryLength);
        var expected = model.Extract(rows);
        Assert.IsLessThan(1e-4, MaxAbsDifference(expected.User, outputs["K_u"]));
        Assert.IsLessThan(1e-4, MaxAbsDifference(expected.Item, outputs["K_i"]));
        Assert.IsLessThan(1e-4, MaxAbsDifference(expected.Interaction, outputs["K_ui"]));
        Assert.HasCount(rows.Count * 192, outputs["K_ui"]);
    }

    internal static Dictionary<string, float[]> Run(InferenceSession session, ImpressionBatch rows, int historyLength)
    {
        int n = rows.Count;
        var inputs = new List<NamedOnnxValue>
        {
            Scalar(Names.UserId, rows.UserId), Scalar(Names.ItemId, rows.ItemId),
            Scalar(Names.ShopId, rows.ShopId), Scalar(Names.CategoryId, rows.CategoryId),
            History(Names.HistoryItemIds, n, historyLength, r => rows.HistoryItemsOf(r).ToArray()),
            History(Names.HistoryShopIds, n, historyLength, r => rows.HistoryShopsOf(r).ToArray()),
            History(Names.HistoryCategoryIds, n, historyLength, r => rows.HistoryCategoriesOf(r).ToArray()),
        };
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }

    private static NamedOnnxValue Scalar(string name, ReadOnlySpan<int> values)
        => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(values.ToArray(), [values.Length, 1]));

    private static NamedOnnxValue History(string name, int rows, int length, Func<int, int[]> history)
    {
        var data = new int[rows * length];
        for (int r = 0; r < rows; r++) HistoryWindow.Fill(history(r), data.AsSpan(r * length, length));
        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(data, [rows, length]));
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.HasCount(a.Length, b);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
