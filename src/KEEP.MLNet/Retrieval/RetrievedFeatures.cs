using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// The retrieved rows of a block as the teacher's input: their user, item, shop and category (through the
/// teacher's vocabularies) and their click label, [B, k] each, with a mask of real neighbours.
/// </summary>
internal sealed class RetrievedFeatures
{
    /// <summary>Label index of a missing neighbour (beside 0 = no click, 1 = click).</summary>
    public const int NoLabel = 2;

    private RetrievedFeatures(int rows, int neighbours)
    {
        Rows = rows;
        Neighbours = neighbours;
        int n = rows * neighbours;
        (User, Item, Shop, Category, Label, Mask) = (new long[n], new long[n], new long[n], new long[n], new long[n], new float[n]);
    }

    public int Rows { get; }
    public int Neighbours { get; }
    public long[] User { get; }
    public long[] Item { get; }
    public long[] Shop { get; }
    public long[] Category { get; }
    public long[] Label { get; }
    public float[] Mask { get; }

    public static RetrievedFeatures From(RetrievedRows retrieved, SampleIndex index, FeatureVocabularies vocabularies)
    {
        var features = new RetrievedFeatures(retrieved.Queries, retrieved.Neighbours);
        var rows = retrieved.Rows;
        for (int j = 0; j < rows.Length; j++)
        {
            int row = rows[j];
            if (row < 0)
            {
                features.Label[j] = NoLabel;
                continue;
            }
            features.User[j] = vocabularies.Users[index.UserId[row]];
            features.Item[j] = vocabularies.Items[index.ItemId[row]];
            features.Shop[j] = vocabularies.Shops[index.ShopId[row]];
            features.Category[j] = vocabularies.Categories[index.CategoryId[row]];
            features.Label[j] = index.Click[row] ? 1 : 0;
            features.Mask[j] = 1;
        }
        return features;
    }

    /// <summary>The tensors (in the current dispose scope).</summary>
    public RetrievedTensors ToTensors()
    {
        long[] shape = [Rows, Neighbours];
        return new(tensor(User, shape), tensor(Item, shape), tensor(Shop, shape), tensor(Category, shape), tensor(Label, shape), tensor(Mask, shape));
    }
}

/// <summary>Retrieved rows' indices [B, k], labels [B, k] (0, 1 or <see cref="RetrievedFeatures.NoLabel"/>) and mask [B, k].</summary>
internal sealed record RetrievedTensors(Tensor User, Tensor Item, Tensor Shop, Tensor Category, Tensor Label, Tensor Mask);
