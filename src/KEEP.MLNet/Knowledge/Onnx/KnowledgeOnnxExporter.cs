using KEEP.MLNet.Pretraining;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
        var towers = interactionTasks ?? [.. Enumerable.Range(0, model.Options.Tasks.Count)];
        var g = new OnnxGraph();
        var options = model.Options;
        int length = options.HistoryLength;
        foreach (string scalar in new[] { names.UserId, names.ItemId, names.ShopId, names.CategoryId }) g.Input(scalar, OnnxType.Int32, null, 1);
        foreach (string history in new[] { names.HistoryItemIds, names.HistoryShopIds, names.HistoryCategoryIds }) g.Input(history, OnnxType.Int32, null, length);

        var vocabularies = model.Vocabularies;
        string user = Lookup(g, Column(g, names.UserId), vocabularies.Users);
        string item = Lookup(g, Column(g, names.ItemId), vocabularies.Items);
        string shop = Lookup(g, Column(g, names.ShopId), vocabularies.Shops);
        string category = Lookup(g, Column(g, names.CategoryId), vocabularies.Categories);
        string historyItem = Lookup(g, names.HistoryItemIds, vocabularies.Items);
        string historyShop = Lookup(g, names.HistoryShopIds, vocabularies.Shops);
        string historyCategory = Lookup(g, names.HistoryCategoryIds, vocabularies.Categories);

        var embeddings = model.Network.Embeddings;
        var (itemTable, shopTable, categoryTable) = embeddings.ItemTables;
        string userWeights = Table(g, "user_embedding", embeddings.UserTable);
        string itemWeights = Table(g, "item_embedding", itemTable);
        string shopWeights = Table(g, "shop_embedding", shopTable);
        string categoryWeights = Table(g, "category_embedding", categoryTable);

        g.NodeTo(names.UserKnowledge, "Gather", [userWeights, user]);
        g.NodeTo(names.ItemKnowledge, "Concat", [g.Node("Gather", [itemWeights, item]), g.Node("Gather", [shopWeights, shop]), g.Node("Gather", [categoryWeights, category])], OnnxAttribute.Int("axis", -1));
        string behaviours = g.Node("Concat", [g.Node("Gather", [itemWeights, historyItem]), g.Node("Gather", [shopWeights, historyShop]), g.Node("Gather", [categoryWeights, historyCategory])], OnnxAttribute.Int("axis", -1));
        string mask = g.Node("Cast", [g.Node("Not", [g.Node("Equal", [historyItem, g.Longs("padding", [IdVocabulary.Padding], 1)])])], OnnxAttribute.Int("to", (int)OnnxType.Float));

        string interest = Attention(g, model.Network, names.ItemKnowledge, behaviours, mask);
        string towerInput = g.Node("Concat", [names.UserKnowledge, names.ItemKnowledge, interest], OnnxAttribute.Int("axis", 1));
        var towerOutputs = towers.Select(t => model.Network.Towers[t]).Select((tower, t) =>
        {
            string x = towerInput;
            foreach (var layer in tower.Layers.Hidden) x = g.Node("Relu", [Dense(g, $"tower{t}", layer, x)]);
            return x;
        }).ToArray();
        g.NodeTo(names.InteractionKnowledge, "Concat", towerOutputs, OnnxAttribute.Int("axis", 1));

        g.Output(names.UserKnowledge, OnnxType.Float, null, model.UserKnowledgeDim);
        g.Output(names.ItemKnowledge, OnnxType.Float, null, model.ItemKnowledgeDim);
        g.Output(names.InteractionKnowledge, OnnxType.Float, null, model.Options.TowerLayers[^1] * towers.Count);
        g.Metadata("keep.tasks", string.Join(',', towers.Select(t => options.Tasks[t])));
        g.Metadata("keep.history_length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return g.ToModel("keep_knowledge");
    }

    /// <summary>[q, k, q − k, q ⊙ k] → PReLU MLP → masked scores → score-weighted sum of behaviours.</summary>
    private static string Attention(OnnxGraph g, KeepPretrainingModel network, string target, string behaviours, string mask)
    {
        string query = g.Node("Expand", [g.Node("Unsqueeze", [target, g.Longs("axis1", [1], 1)]), g.Node("Shape", [behaviours])]);
        string x = g.Node("Concat", [query, behaviours, g.Node("Sub", [query, behaviours]), g.Node("Mul", [query, behaviours])], OnnxAttribute.Int("axis", -1));
        var (hidden, score) = network.Attention.Layers;
        foreach (var (linear, activation) in hidden)
            x = g.Node("PRelu", [Dense(g, "attention", linear, x), g.Weights("attention_slope", ToArray(activation.weight!), 1)]);
        string scores = g.Node("Mul", [g.Node("Squeeze", [Dense(g, "attention_score", score, x), g.Longs("axis_last", [-1], 1)]), mask]);
        string weighted = g.Node("Mul", [g.Node("Unsqueeze", [scores, g.Longs("axis_last", [-1], 1)]), behaviours]);
        return g.Node("ReduceSum", [weighted, g.Longs("axis1", [1], 1)], OnnxAttribute.Int("keepdims", 0));
    }

    /// <summary>x · Wᵀ + b for a TorchSharp linear layer (weight stored pre-transposed).</summary>
    private static string Dense(OnnxGraph g, string prefix, Linear linear, string x)
    {
        var weight = linear.weight!;
        long outputs = weight.shape[0], inputs = weight.shape[1];
        string w = g.Weights(prefix + "_weight", ToArray(weight.t()), inputs, outputs);
        string b = g.Weights(prefix + "_bias", ToArray(linear.bias!), outputs);
        return g.Node("Add", [g.Node("MatMul", [x, w]), b]);
    }

    private static string Table(OnnxGraph g, string prefix, Embedding table)
    {
        var weight = table.weight!;
        return g.Weights(prefix, ToArray(weight), weight.shape[0], weight.shape[1]);
    }

    /// <summary>[N, 1] → [N].</summary>
    private static string Column(OnnxGraph g, string input) => g.Node("Squeeze", [input, g.Longs("axis1", [1], 1)]);

    /// <summary>Raw Int32 ids → embedding rows: 0 stays padding, known ids map to their rows, others to OOV.</summary>
    private static string Lookup(OnnxGraph g, string input, IdVocabulary vocabulary)
    {
        string ids = g.Node("Cast", [input], OnnxAttribute.Int("to", (int)OnnxType.Int64));
        var keys = new long[vocabulary.Ids.Count + 1];
        var values = new long[keys.Length];
        keys[0] = 0;
        values[0] = IdVocabulary.Padding;
        for (int i = 0; i < vocabulary.Ids.Count; i++)
        {
            keys[i + 1] = vocabulary.Ids[i];
            values[i + 1] = vocabulary[vocabulary.Ids[i]];
        }
        return g.Node("LabelEncoder", [ids],
            OnnxAttribute.Ints("keys_int64s", keys), OnnxAttribute.Ints("values_int64s", values), OnnxAttribute.Int("default_int64", IdVocabulary.OutOfVocabulary));
    }

    private static float[] ToArray(Tensor tensor)
    {
        using var _ = no_grad();
        return tensor.detach().contiguous().data<float>().ToArray();
    }
}
