using KEEP.MLNet.Layers;
using KEEP.MLNet.Pretraining;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Knowledge.Onnx;

/// <summary>The building blocks KEEP's networks are exported from: lookups, embeddings, DIN attention, dense layers.</summary>
internal static class OnnxLayers
{
    /// <summary>Raw ids as graph inputs: four Int32 [N, 1] ids and three Int32 [N, L] histories.</summary>
    public static void DeclareInputs(OnnxGraph g, KnowledgeOnnxNames names, int historyLength)
    {
        foreach (string scalar in new[] { names.UserId, names.ItemId, names.ShopId, names.CategoryId }) g.Input(scalar, OnnxType.Int32, null, 1);
        foreach (string history in new[] { names.HistoryItemIds, names.HistoryShopIds, names.HistoryCategoryIds }) g.Input(history, OnnxType.Int32, null, historyLength);
    }

    /// <summary>
    /// The DIN front of a network over its own vocabularies and embeddings: returns the user vector [N, U],
    /// the target item vector [N, 3I] and the attention-pooled behaviours [N, 3I].
    /// </summary>
    public static (string User, string Target, string Interest) DinFront(OnnxGraph g, string prefix, KnowledgeOnnxNames names,
        FeatureVocabularies vocabularies, FeatureEmbeddings embeddings, TargetAttention attention)
    {
        var (user, target, behaviours, mask) = Embedded(g, prefix, names, vocabularies, embeddings);
        return (user, target, Attention(g, prefix, attention, target, behaviours, mask));
    }

    /// <summary>
    /// Raw ids through the vocabularies and embedding tables: the user vector [N, U], the target item vector
    /// [N, 3I], the behaviour vectors [N, L, 3I] and the behaviour mask [N, L] (1 = real, 0 = padding).
    /// </summary>
    public static (string User, string Target, string Behaviours, string Mask) Embedded(OnnxGraph g, string prefix, KnowledgeOnnxNames names,
        FeatureVocabularies vocabularies, FeatureEmbeddings embeddings)
    {
        string user = Lookup(g, Column(g, names.UserId), vocabularies.Users);
        string item = Lookup(g, Column(g, names.ItemId), vocabularies.Items);
        string shop = Lookup(g, Column(g, names.ShopId), vocabularies.Shops);
        string category = Lookup(g, Column(g, names.CategoryId), vocabularies.Categories);
        string historyItem = Lookup(g, names.HistoryItemIds, vocabularies.Items);
        string historyShop = Lookup(g, names.HistoryShopIds, vocabularies.Shops);
        string historyCategory = Lookup(g, names.HistoryCategoryIds, vocabularies.Categories);

        var (itemTable, shopTable, categoryTable) = embeddings.ItemTables;
        string userWeights = Weights(g, prefix + "_user_embedding", embeddings.UserTable.weight!);
        string itemWeights = Weights(g, prefix + "_item_embedding", itemTable.weight!);
        string shopWeights = Weights(g, prefix + "_shop_embedding", shopTable.weight!);
        string categoryWeights = Weights(g, prefix + "_category_embedding", categoryTable.weight!);

        string userVector = g.Node("Gather", [userWeights, user]);
        string target = g.Node("Concat", [g.Node("Gather", [itemWeights, item]), g.Node("Gather", [shopWeights, shop]), g.Node("Gather", [categoryWeights, category])], OnnxAttribute.Int("axis", -1));
        string behaviours = g.Node("Concat", [g.Node("Gather", [itemWeights, historyItem]), g.Node("Gather", [shopWeights, historyShop]), g.Node("Gather", [categoryWeights, historyCategory])], OnnxAttribute.Int("axis", -1));
        string mask = g.Node("Cast", [g.Node("Not", [g.Node("Equal", [historyItem, g.Longs("padding", [IdVocabulary.Padding], 1)])])], OnnxAttribute.Int("to", (int)OnnxType.Float));
        return (userVector, target, behaviours, mask);
    }

    /// <summary>[q, k, q − k, q ⊙ k] → PReLU MLP → masked scores → score-weighted sum of behaviours.</summary>
    private static string Attention(OnnxGraph g, string prefix, TargetAttention attention, string target, string behaviours, string mask)
    {
        string query = g.Node("Expand", [g.Node("Unsqueeze", [target, g.Longs("axis1", [1], 1)]), g.Node("Shape", [behaviours])]);
        string x = g.Node("Concat", [query, behaviours, g.Node("Sub", [query, behaviours]), g.Node("Mul", [query, behaviours])], OnnxAttribute.Int("axis", -1));
        var (hidden, score) = attention.Layers;
        foreach (var (linear, activation) in hidden)
            x = g.Node("PRelu", [Dense(g, prefix + "_attention", linear, x), Weights(g, prefix + "_attention_slope", activation.weight!)]);
        string scores = g.Node("Mul", [g.Node("Squeeze", [Dense(g, prefix + "_attention_score", score, x), g.Longs("axis_last", [-1], 1)]), mask]);
        string weighted = g.Node("Mul", [g.Node("Unsqueeze", [scores, g.Longs("axis_last", [-1], 1)]), behaviours]);
        return g.Node("ReduceSum", [weighted, g.Longs("axis1", [1], 1)], OnnxAttribute.Int("keepdims", 0));
    }

    /// <summary>x · Wᵀ + b for a TorchSharp linear layer (weight stored pre-transposed).</summary>
    public static string Dense(OnnxGraph g, string prefix, Linear linear, string x)
    {
        var weight = linear.weight!;
        string w = g.Weights(prefix + "_weight", ToArray(weight.t()), weight.shape[1], weight.shape[0]);
        string b = g.Weights(prefix + "_bias", ToArray(linear.bias!), weight.shape[0]);
        return g.Node("Add", [g.Node("MatMul", [x, w]), b]);
    }

    /// <summary>A float initializer with the tensor's own shape.</summary>
    public static string Weights(OnnxGraph g, string prefix, Tensor tensor) => g.Weights(prefix, ToArray(tensor), tensor.shape);

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

    public static float[] ToArray(Tensor tensor)
    {
        using var _ = no_grad();
        return tensor.detach().contiguous().data<float>().ToArray();
    }
}
