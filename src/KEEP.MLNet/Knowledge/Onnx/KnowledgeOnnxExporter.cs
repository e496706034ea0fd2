using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Knowledge.Onnx;

/// <summary>Column names of the exported knowledge network's inputs and outputs.</summary>
/// <param name="UserId">Int32 user id input [N, 1] (ML.NET feeds scalar columns with rank 2).</param>
/// <param name="ItemId">Int32 item id input [N, 1].</param>
/// <param name="ShopId">Int32 shop id input [N, 1].</param>
/// <param name="CategoryId">Int32 category id input [N, 1].</param>
/// <param name="HistoryItemIds">Int32 behaviour item ids [N, L], right-aligned, 0 = padding.</param>
/// <param name="HistoryShopIds">Int32 behaviour shop ids [N, L].</param>
/// <param name="HistoryCategoryIds">Int32 behaviour category ids [N, L].</param>
/// <param name="UserKnowledge">Output K_u [N, 48].</param>
/// <param name="ItemKnowledge">Output K_i [N, 48].</param>
/// <param name="InteractionKnowledge">Output K_ui [N, 64·tasks].</param>
public sealed record KnowledgeOnnxNames(
    string UserId, string ItemId, string ShopId, string CategoryId,
    string HistoryItemIds, string HistoryShopIds, string HistoryCategoryIds,
    string UserKnowledge, string ItemKnowledge, string InteractionKnowledge);

/// <summary>
/// Writes the knowledge part of a <see cref="PretrainedModel"/> — vocabulary lookups (LabelEncoder: raw id →
/// embedding row, unknown → the out-of-vocabulary row), embeddings, target attention and every tower up
/// to its last hidden layer — as a self-contained ONNX model that computes K_u, K_i and K_ui from raw ids.
/// </summary>
public static class KnowledgeOnnxExporter
{
    /// <summary>The ONNX model bytes; <paramref name="interactionTasks"/> picks the towers of K_ui (by index; null: all).</summary>
    public static byte[] Export(PretrainedModel model, KnowledgeOnnxNames names, IReadOnlyList<int>? interactionTasks = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var towers = interactionTasks ?? [.. Enumerable.Range(0, model.Options.Tasks.Count)];
        var g = new OnnxGraph();
        OnnxLayers.DeclareInputs(g, names, model.Options.HistoryLength);
        var (user, item, interaction) = AddKnowledge(g, model, names, towers);
        g.NodeTo(names.UserKnowledge, "Identity", [user]);
        g.NodeTo(names.ItemKnowledge, "Identity", [item]);
        g.NodeTo(names.InteractionKnowledge, "Identity", [interaction]);
        g.Output(names.UserKnowledge, OnnxType.Float, null, model.UserKnowledgeDim);
        g.Output(names.ItemKnowledge, OnnxType.Float, null, model.ItemKnowledgeDim);
        g.Output(names.InteractionKnowledge, OnnxType.Float, null, model.Options.TowerLayers[^1] * towers.Count);
        g.Metadata("keep.tasks", string.Join(',', towers.Select(t => model.Options.Tasks[t])));
        g.Metadata("keep.history_length", model.Options.HistoryLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return g.ToModel("keep_knowledge");
    }

    /// <summary>Adds the knowledge network to a graph whose inputs are declared; returns the K_u, K_i and K_ui values.</summary>
    internal static (string User, string Item, string Interaction) AddKnowledge(OnnxGraph g, PretrainedModel model, KnowledgeOnnxNames names, IReadOnlyList<int> towers)
    {
        var network = model.Network;
        var (user, target, interest) = OnnxLayers.DinFront(g, "knowledge", names, model.Vocabularies, network.Embeddings, network.Attention);
        string towerInput = g.Node("Concat", [user, target, interest], OnnxAttribute.Int("axis", 1));
        var outputs = towers.Select(t =>
        {
            string x = towerInput;
            foreach (var layer in network.Towers[t].Layers.Hidden) x = g.Node("Relu", [OnnxLayers.Dense(g, $"tower{t}", layer, x)]);
            return x;
        }).ToArray();
        return (user, target, outputs.Length == 1 ? outputs[0] : g.Node("Concat", outputs, OnnxAttribute.Int("axis", 1)));
    }
}
