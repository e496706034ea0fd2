using KEEP.MLNet.Data;

namespace KEEP.MLNet.ServingSample;

/// <summary>One impression to score, as JSON: ids and the user's behaviours, oldest first (the model keeps the most recent 50).</summary>
public sealed record ImpressionRequest
{
    /// <summary>User id (≥ 1).</summary>
    public int UserId { get; init; }
    /// <summary>Target item id (≥ 1).</summary>
    public int ItemId { get; init; }
    /// <summary>Target shop id (≥ 1).</summary>
    public int ShopId { get; init; }
    /// <summary>Target category id (≥ 1).</summary>
    public int CategoryId { get; init; }
    /// <summary>Behaviour item ids, oldest first.</summary>
    public int[] HistoryItemIds { get; init; } = [];
    /// <summary>Behaviour shop ids, aligned with <see cref="HistoryItemIds"/>.</summary>
    public int[] HistoryShopIds { get; init; } = [];
    /// <summary>Behaviour category ids, aligned with <see cref="HistoryItemIds"/>.</summary>
    public int[] HistoryCategoryIds { get; init; } = [];

    /// <summary>The model's input row; <see cref="ArgumentException"/> for ids below 1 or misaligned histories.</summary>
    public ImpressionInput ToInput()
        => ImpressionInput.Create(UserId, ItemId, ShopId, CategoryId, HistoryItemIds ?? [], HistoryShopIds ?? [], HistoryCategoryIds ?? []);
}

/// <summary>A scored impression: the logit and the probability of the model's label (click by default).</summary>
/// <param name="Score">The logit (or the trainer's raw score).</param>
/// <param name="Probability">The calibrated probability.</param>
public sealed record ImpressionScore(float Score, float Probability);
