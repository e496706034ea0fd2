using KEEP.MLNet.Data;
using static TorchSharp.torch;

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
        return input;
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
            tensor(HistoryItem, history), tensor(HistoryShop, history), tensor(HistoryCategory, history));
    }
}

/// <summary>The model's input tensors: indices [B] and behaviour indices [B, L].</summary>
public sealed record ModelTensors(Tensor User, Tensor Item, Tensor Shop, Tensor Category, Tensor HistoryItem, Tensor HistoryShop, Tensor HistoryCategory);
