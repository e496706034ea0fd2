using KEEP.MLNet.Data;
using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// A block of rows as the model's index arrays: embedding rows of user, item, shop and category, and the
/// behaviour sequence right-aligned in <c>HistoryLength</c> slots (most recent last, padding 0 on the left;
/// longer sequences keep their most recent behaviours). Built with plain arrays so it can be prepared on a
/// background thread; <see cref="ToTensors"/> makes one tensor per array.
/// </summary>
public sealed class ModelInput
{
    private ModelInput(int rows, int historyLength)
    {
        Rows = rows;
        HistoryLength = historyLength;
        User = new long[rows]; Item = new long[rows]; Shop = new long[rows]; Category = new long[rows];
        HistoryItem = new long[rows * historyLength]; HistoryShop = new long[rows * historyLength]; HistoryCategory = new long[rows * historyLength];
    }

    /// <summary>Rows in the block.</summary>
    public int Rows { get; }
    /// <summary>Behaviour slots per row.</summary>
    public int HistoryLength { get; }
    /// <summary>User rows.</summary>
    public long[] User { get; }
    /// <summary>Target item rows.</summary>
    public long[] Item { get; }
    /// <summary>Target shop rows.</summary>
    public long[] Shop { get; }
    /// <summary>Target category rows.</summary>
    public long[] Category { get; }
    /// <summary>Behaviour item rows, [Rows × HistoryLength], right-aligned.</summary>
    public long[] HistoryItem { get; }
    /// <summary>Behaviour shop rows, aligned with <see cref="HistoryItem"/>.</summary>
    public long[] HistoryShop { get; }
    /// <summary>Behaviour category rows, aligned with <see cref="HistoryItem"/>.</summary>
    public long[] HistoryCategory { get; }
    /// <summary>Behaviours dropped because a sequence was longer than <see cref="HistoryLength"/>.</summary>
    public long TruncatedBehaviours { get; private set; }
    /// <summary>
    /// For each behaviour slot, its index in <see cref="DistinctItem"/>/<see cref="DistinctShop"/>/<see cref="DistinctCategory"/>:
    /// the block's distinct (item, shop, category) behaviours, index 0 being padding. Lets the network compute a
    /// behaviour's per-key work once per distinct behaviour of the block instead of once per slot.
    /// </summary>
    public long[] BehaviourSlot { get; private set; } = [];
    /// <summary>Item rows of the block's distinct behaviours (index 0: padding).</summary>
    public long[] DistinctItem { get; private set; } = [];
    /// <summary>Shop rows of the block's distinct behaviours.</summary>
    public long[] DistinctShop { get; private set; } = [];
    /// <summary>Category rows of the block's distinct behaviours.</summary>
    public long[] DistinctCategory { get; private set; } = [];
    /// <summary>The row of each real (non-padding) behaviour slot, in slot order.</summary>
    public long[] RealSlotRow { get; private set; } = [];
    /// <summary>The distinct-behaviour index of each real slot, aligned with <see cref="RealSlotRow"/>.</summary>
    public long[] RealSlotBehaviour { get; private set; } = [];

    /// <summary>Maps rows <paramref name="start"/>.. of a batch through the vocabularies.</summary>
    public static ModelInput From(ImpressionBatch batch, int start, int count, FeatureVocabularies vocabularies, int historyLength)
    {
        var input = new ModelInput(count, historyLength);
        Span<int> slots = historyLength <= 1024 ? stackalloc int[historyLength] : new int[historyLength];
        for (int r = 0; r < count; r++)
        {
            int row = start + r;
            input.User[r] = vocabularies.Users[batch.UserId[row]];
            input.Item[r] = vocabularies.Items[batch.ItemId[row]];
            input.Shop[r] = vocabularies.Shops[batch.ShopId[row]];
            input.Category[r] = vocabularies.Categories[batch.CategoryId[row]];
            int offset = r * historyLength;
            input.TruncatedBehaviours += HistoryWindow.Fill(batch.HistoryItemsOf(row), slots);
            Map(slots, vocabularies.Items, input.HistoryItem.AsSpan(offset, historyLength));
            HistoryWindow.Fill(batch.HistoryShopsOf(row), slots);
            Map(slots, vocabularies.Shops, input.HistoryShop.AsSpan(offset, historyLength));
            HistoryWindow.Fill(batch.HistoryCategoriesOf(row), slots);
            Map(slots, vocabularies.Categories, input.HistoryCategory.AsSpan(offset, historyLength));
        }
        input.FindDistinctBehaviours();
        return input;
    }

    private void FindDistinctBehaviours()
    {
        var index = new Dictionary<(long, long, long), int> { [(IdVocabulary.Padding, IdVocabulary.Padding, IdVocabulary.Padding)] = 0 };
        var item = new List<long> { IdVocabulary.Padding };
        var shop = new List<long> { IdVocabulary.Padding };
        var category = new List<long> { IdVocabulary.Padding };
        var slot = new long[HistoryItem.Length];
        var realRow = new List<long>(slot.Length);
        var realBehaviour = new List<long>(slot.Length);
        for (int k = 0; k < slot.Length; k++)
        {
            var key = (HistoryItem[k], HistoryShop[k], HistoryCategory[k]);
            if (!index.TryGetValue(key, out int at))
            {
                index[key] = at = item.Count;
                item.Add(key.Item1);
                shop.Add(key.Item2);
                category.Add(key.Item3);
            }
            slot[k] = at;
            // Real: what the attention's mask keeps (an item that is not padding).
            if (key.Item1 != IdVocabulary.Padding)
            {
                realRow.Add(k / HistoryLength);
                realBehaviour.Add(at);
            }
        }
        (BehaviourSlot, DistinctItem, DistinctShop, DistinctCategory) = (slot, [.. item], [.. shop], [.. category]);
        (RealSlotRow, RealSlotBehaviour) = ([.. realRow], [.. realBehaviour]);
    }

    private static void Map(ReadOnlySpan<int> ids, IdVocabulary vocabulary, Span<long> rows)
    {
        for (int k = 0; k < ids.Length; k++) rows[k] = vocabulary[ids[k]];
    }

    /// <summary>The tensors of this block (in the current dispose scope).</summary>
    public ModelTensors ToTensors()
    {
        long[] history = [Rows, HistoryLength];
        return new ModelTensors(
            tensor(User), tensor(Item), tensor(Shop), tensor(Category),
            tensor(HistoryItem, history), tensor(HistoryShop, history), tensor(HistoryCategory, history))
        {
            Behaviours = new DistinctBehaviours(tensor(BehaviourSlot, history), tensor(DistinctItem), tensor(DistinctShop), tensor(DistinctCategory))
            {
                RealRow = tensor(RealSlotRow),
                RealBehaviour = tensor(RealSlotBehaviour),
            },
        };
    }
}

/// <summary>The model's input tensors: indices [B] and behaviour indices [B, L].</summary>
public sealed record ModelTensors(Tensor User, Tensor Item, Tensor Shop, Tensor Category, Tensor HistoryItem, Tensor HistoryShop, Tensor HistoryCategory)
{
    /// <summary>The block's distinct behaviours and each slot's index among them; null when not computed (networks then work per slot).</summary>
    public DistinctBehaviours? Behaviours { get; init; }
}

/// <summary>A block's distinct behaviours: item/shop/category rows [U] (index 0 padding) and, per slot, its index among them [B, L].</summary>
/// <param name="Slot">Index of each behaviour slot in the distinct list.</param>
/// <param name="Item">Item rows of the distinct behaviours.</param>
/// <param name="Shop">Shop rows of the distinct behaviours.</param>
/// <param name="Category">Category rows of the distinct behaviours.</param>
public sealed record DistinctBehaviours(Tensor Slot, Tensor Item, Tensor Shop, Tensor Category)
{
    /// <summary>The row of each real (non-padding) slot [N]; with <see cref="RealBehaviour"/>, lets the attention skip padding. Null: per slot.</summary>
    public Tensor? RealRow { get; init; }
    /// <summary>The distinct-behaviour index of each real slot [N], aligned with <see cref="RealRow"/>.</summary>
    public Tensor? RealBehaviour { get; init; }
}

/// <summary>The DIN interest vector of a block, the way every network here computes it.</summary>
internal static class BehaviourInterest
{
    /// <summary>
    /// The behaviours of <paramref name="rows"/> pooled by <paramref name="attention"/> for <paramref name="target"/>: over the
    /// block's distinct behaviours when the tensors carry them (each looked up and projected once, and only the real
    /// slots scored), per slot otherwise.
    /// </summary>
    public static Tensor Pool(this Layers.TargetAttention attention, Tensor target, Layers.FeatureEmbeddings embeddings, ModelTensors rows)
    {
        if (rows.Behaviours is { RealRow: { } realRow, RealBehaviour: { } realBehaviour } real)
            return attention.PoolReal(target, embeddings.Item(real.Item, real.Shop, real.Category), realRow, realBehaviour);
        var mask = rows.HistoryItem.NotEqual(IdVocabulary.Padding).to_type(ScalarType.Float32);
        return rows.Behaviours is { } distinct
            ? attention.Pool(target, embeddings.Item(distinct.Item, distinct.Shop, distinct.Category), distinct.Slot, mask)
            : attention.Pool(target, embeddings.Item(rows.HistoryItem, rows.HistoryShop, rows.HistoryCategory), mask);
    }
}

/// <summary>
/// The DIN front that the pre-training network, the KEEP DNN and the cross-domain competitors share: embedding
/// tables sized by the vocabularies, the attention unit over them, and the input of the dense layers
/// [user, target item, attention-pooled behaviours].
/// </summary>
internal static class DinFront
{
    /// <summary>The embedding tables for <paramref name="vocabularies"/> and an attention unit over the item vectors.</summary>
    public static (Layers.FeatureEmbeddings Embeddings, Layers.TargetAttention Attention) Create(FeatureVocabularies vocabularies, int userDim, int itemDim, IReadOnlyList<int> attentionLayers)
    {
        var embeddings = new Layers.FeatureEmbeddings(vocabularies.Users.Size, vocabularies.Items.Size, vocabularies.Shops.Size, vocabularies.Categories.Size, userDim, itemDim);
        return (embeddings, new Layers.TargetAttention(embeddings.ItemDim, attentionLayers));
    }

    /// <summary>The width of <see cref="Features"/>' input vector.</summary>
    public static int InputWidth(Layers.FeatureEmbeddings embeddings) => embeddings.UserDim + 2 * embeddings.ItemDim;

    /// <summary>K_u, K_i and the dense layers' input [user, target, interest] of <paramref name="rows"/>.</summary>
    public static (Tensor User, Tensor Target, Tensor Input) Features(Layers.FeatureEmbeddings embeddings, Layers.TargetAttention attention, ModelTensors rows)
    {
        var user = embeddings.User(rows.User);
        var target = embeddings.Item(rows.Item, rows.Shop, rows.Category);
        return (user, target, cat([user, target, attention.Pool(target, embeddings, rows)], 1));
    }
}
