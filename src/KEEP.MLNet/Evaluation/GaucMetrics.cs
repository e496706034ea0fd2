namespace KEEP.MLNet.Evaluation;

/// <summary>
/// Group AUC and companions. GAUC = Σ_g n_g · AUC_g / Σ_g n_g over groups (users) that have both a positive
/// and a negative label; n_g is the group's impressions. Ties count ½. Immutable.
/// </summary>
public sealed record GaucMetrics
{
    /// <summary>Impression-weighted mean of per-group AUC; NaN when no group has both classes.</summary>
    public double Gauc { get; init; }
    /// <summary>AUC over all rows, ignoring groups; NaN when the labels are all of one class.</summary>
    public double Auc { get; init; }
    /// <summary>Mean log-loss in bits (ML.NET's convention), when a probability column was given; otherwise NaN.</summary>
    public double LogLoss { get; init; } = double.NaN;
    /// <summary>Groups that entered GAUC.</summary>
    public long Groups { get; init; }
    /// <summary>Groups left out because all their labels were equal.</summary>
    public long SingleClassGroups { get; init; }
    /// <summary>Rows with a usable label.</summary>
    public long Impressions { get; init; }
    /// <summary>Rows in the groups that entered GAUC (the weights' total).</summary>
    public long WeightedImpressions { get; init; }
    /// <summary>Rows skipped because their label was NaN.</summary>
    public long MissingLabels { get; init; }
}
