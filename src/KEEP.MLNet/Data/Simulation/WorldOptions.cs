using System.Text.Json.Serialization;

namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// Sizes and behaviour of a simulated recommendation world. The defaults are the <c>default</c> preset
/// (about 1M super-domain and 200k sub-domain training impressions); see <see cref="Preset(string)"/>.
/// </summary>
public sealed record WorldOptions
{
    /// <summary>Seed of every random choice; same seed and options → identical files.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Number of users.</summary>
    public int Users { get; init; } = 20_000;
    /// <summary>Number of items.</summary>
    public int Items { get; init; } = 30_000;
    /// <summary>Number of shops; items belong to one shop.</summary>
    public int Shops { get; init; } = 2_000;
    /// <summary>Number of categories; items belong to one category.</summary>
    public int Categories { get; init; } = 120;
    /// <summary>Days simulated, test days included.</summary>
    public int Days { get; init; } = 14;
    /// <summary>Last days whose sub-domain impressions form the test set (the super-domain stops before them).</summary>
    public int TestDays { get; init; } = 1;
    /// <summary>Expected super-domain impressions over the training days.</summary>
    public long SuperImpressions { get; init; } = 1_000_000;
    /// <summary>Expected sub-domain impressions over all days (training and test).</summary>
    public long SubImpressions { get; init; } = 215_000;
    /// <summary>Maximum behaviour-sequence length (most recent clicks kept).</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>Dimension of the hidden preference factors.</summary>
    public int LatentDim { get; init; } = 16;
    /// <summary>Share of users who ever visit the sub-domain.</summary>
    public double SubDomainUserShare { get; init; } = 0.8;
    /// <summary>Spread (σ of the log) of user activity; larger = longer tail.</summary>
    public double ActivitySigma { get; init; } = 1.0;
    /// <summary>Zipf exponent of item popularity.</summary>
    public double ItemZipfExponent { get; init; } = 1.0;
    /// <summary>
    /// Mean impressions per visit: a visit shows a page of items (1 + Poisson(mean − 1)) that all see the
    /// behaviour sequence as it was when the visit began; clicks extend it after the page. Pages give each
    /// user several impressions at a time, which per-user metrics (GAUC) need.
    /// </summary>
    public double ImpressionsPerVisit { get; init; } = 5;
    /// <summary>Items the site's ranker considers per impression; it shows one, favouring the user's taste.</summary>
    public int CandidatesPerImpression { get; init; } = 8;
    /// <summary>Click rate the site (super-domain) is calibrated to; the sub-domain's is lower by its own bias.</summary>
    public double TargetClickRate { get; init; } = 0.04;
    /// <summary>Users with at most this many sub-domain training impressions count as sparse.</summary>
    public int SparseUserThreshold { get; init; } = 5;
    /// <summary>Rows per Parquet row group.</summary>
    public int RowGroupSize { get; init; } = 65_536;

    /// <summary>Days whose rows are for training (all but the test days).</summary>
    [JsonIgnore]
    public int TrainDays => Days - TestDays;

    /// <summary>The preset names <see cref="Preset(string)"/> knows.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["tiny", "small", "default", "large"];

    /// <summary>
    /// A named size: <c>tiny</c> (tests, ~70k rows, seconds), <c>small</c> (~250k rows), <c>default</c>
    /// (~1.2M rows, the demo) or <c>large</c> (~12M rows, scale tests).
    /// </summary>
    public static WorldOptions Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => new WorldOptions { Users = 600, Items = 1_500, Shops = 150, Categories = 20, Days = 6, SuperImpressions = 60_000, SubImpressions = 12_000, RowGroupSize = 16_384 },
        "small" => new WorldOptions { Users = 5_000, Items = 8_000, Shops = 600, Categories = 60, Days = 10, SuperImpressions = 200_000, SubImpressions = 50_000 },
        "default" => new WorldOptions(),
        "large" => new WorldOptions { Users = 200_000, Items = 300_000, Shops = 20_000, Categories = 400, SuperImpressions = 10_000_000, SubImpressions = 2_150_000, RowGroupSize = 131_072 },
        _ => throw new ArgumentException($"Unknown preset '{name}'; use one of: {string.Join(", ", PresetNames)}.", nameof(name)),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        Require(Users >= 2, nameof(Users), "at least 2");
        Require(Items >= 2, nameof(Items), "at least 2");
        Require(Shops >= 1 && Shops <= Items, nameof(Shops), "between 1 and Items");
        Require(Categories >= 1 && Categories <= Items, nameof(Categories), "between 1 and Items");
        Require(Days >= 2, nameof(Days), "at least 2");
        Require(TestDays >= 1 && TestDays < Days, nameof(TestDays), "at least 1 and less than Days");
        Require(SuperImpressions >= 1, nameof(SuperImpressions), "positive");
        Require(SubImpressions >= 1, nameof(SubImpressions), "positive");
        Require(HistoryLength >= 1 && HistoryLength <= 1_000, nameof(HistoryLength), "between 1 and 1000");
        Require(LatentDim >= 2 && LatentDim <= 256, nameof(LatentDim), "between 2 and 256");
        Require(SubDomainUserShare > 0 && SubDomainUserShare <= 1, nameof(SubDomainUserShare), "in (0, 1]");
        Require(ActivitySigma >= 0 && ActivitySigma <= 3, nameof(ActivitySigma), "between 0 and 3");
        Require(ItemZipfExponent >= 0 && ItemZipfExponent <= 3, nameof(ItemZipfExponent), "between 0 and 3");
        Require(ImpressionsPerVisit is >= 1 and <= 100, nameof(ImpressionsPerVisit), "between 1 and 100");
        Require(CandidatesPerImpression >= 1 && CandidatesPerImpression <= 256, nameof(CandidatesPerImpression), "between 1 and 256");
        Require(TargetClickRate is > 0.001 and < 0.5, nameof(TargetClickRate), "between 0.001 and 0.5");
        Require(SparseUserThreshold >= 1, nameof(SparseUserThreshold), "at least 1");
        Require(RowGroupSize >= 1_000, nameof(RowGroupSize), "at least 1000");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok) throw new ArgumentException($"World option {name} must be {what}.", name);
    }
}
