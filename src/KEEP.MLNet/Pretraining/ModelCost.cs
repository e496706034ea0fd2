namespace KEEP.MLNet.Pretraining;

/// <summary>Arithmetic cost of the knowledge network per sample, counted from its layer sizes.</summary>
public static class ModelCost
{
    /// <summary>Multiply-adds of one forward pass for one sample (embedding lookups are free).</summary>
    public static long ForwardMultiplyAdds(PretrainingOptions options)
    {
        int item = 3 * options.ItemEmbeddingDim;
        long attention = Dense(4 * item, options.AttentionLayers, 1) + 4L * item; // + the [q−k, q⊙k] features
        long pooling = item;
        long tower = Dense(options.UserEmbeddingDim + 2 * item, options.TowerLayers, 1);
        return options.HistoryLength * (attention + pooling) + options.Tasks.Count * tower;
    }

    /// <summary>Floating-point operations of a forward pass (2 per multiply-add).</summary>
    public static long ForwardFlops(PretrainingOptions options) => 2 * ForwardMultiplyAdds(options);

    /// <summary>Floating-point operations of a training step per sample: forward + backward ≈ 3 × forward.</summary>
    public static long TrainingFlops(PretrainingOptions options) => 3 * ForwardFlops(options);

    private static long Dense(int input, IReadOnlyList<int> hidden, int output)
    {
        long total = 0;
        foreach (int width in hidden)
        {
            total += (long)input * width;
            input = width;
        }
        return total + (long)input * output;
    }
}
