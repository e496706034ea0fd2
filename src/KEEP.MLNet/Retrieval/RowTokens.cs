using KEEP.MLNet.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// The feature tokens of a row: its user, item, shop and category, and its most recent distinct behaviour
/// items, each tagged with its field so that equal ids of different fields never match.
/// </summary>
internal static class RowTokens
{
    /// <summary>Fields a token can come from.</summary>
    public enum Field { User, Item, Shop, Category, Behaviour }

    /// <summary>Largest number of tokens a row can have.</summary>
    public static int MaxCount(RetrievalOptions options) => 4 + options.BehaviourTokens;

    /// <summary>One token: the field in the high bits, the raw id in the low 32.</summary>
    public static long Token(Field field, int id) => ((long)field << 32) | (uint)id;

    /// <summary>Writes row <paramref name="row"/>'s distinct tokens into <paramref name="tokens"/>; returns how many.</summary>
    public static int Of(ImpressionBatch batch, int row, int behaviourTokens, Span<long> tokens)
    {
        tokens[0] = Token(Field.User, batch.UserId[row]);
        tokens[1] = Token(Field.Item, batch.ItemId[row]);
        tokens[2] = Token(Field.Shop, batch.ShopId[row]);
        tokens[3] = Token(Field.Category, batch.CategoryId[row]);
        int count = 4;
        var history = batch.HistoryItemsOf(row);
        int limit = 4 + behaviourTokens;
        for (int k = history.Length - 1; k >= 0 && count < limit; k--)
        {
            if (history[k] == 0) continue;
            long token = Token(Field.Behaviour, history[k]);
            if (tokens[4..count].Contains(token)) continue;
            tokens[count++] = token;
        }
        return count;
    }
}
