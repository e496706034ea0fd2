using System.Text.Json;
using System.Text.Json.Serialization;

namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// Sizes and behaviour of a simulated recommendation world. A new instance is the <c>shared-click</c> preset
/// (one click model for the whole site, about 1M super-domain and 200k sub-domain training impressions);
/// <see cref="Preset(string)"/> gives the paper's site (<c>default</c>) and the other named worlds.
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
    /// <summary>Expected sub-domain impressions over all days (training and test), at a <see cref="TestTrafficScale"/> of 1.</summary>
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
    /// <summary>
    /// The site's subsystems, each with its own ranker and click mechanism over the users' shared taste (paper
    /// §6.1); exactly one is the sub-domain. Null or empty: the shared click model — one mechanism for the whole
    /// site, the sub-domain differing only by a bias (the <c>shared-click</c> presets).
    /// </summary>
    public IReadOnlyList<SubsystemOptions>? Subsystems { get; init; }
    /// <summary>
    /// Training days, at the end of the training period, whose sub-domain rows form <c>sub_train</c>; the
    /// sub-domain's rows of earlier days belong to the super-domain (all of the site's traffic), which those days
    /// are for pre-training (paper §6.1: pre-train on days 1–5, train the downstream model on days 6–7, test on
    /// day 8). 0: every training day (the shared-click layout, the super-domain holding only the other traffic).
    /// </summary>
    public int SubTrainDays { get; init; }
    /// <summary>
    /// Day-to-day correlation of each user's long-term taste: every day it moves to ρ·taste + √(1 − ρ²)·noise
    /// (variance kept), so older rows describe a user less well than recent ones. 1: no drift.
    /// </summary>
    public double TasteDrift { get; init; } = 1;
    /// <summary>
    /// Days the site runs before logging starts (nothing is written): users' recent interests settle into the
    /// state a running site is in, and the rates are calibrated to that state — Table 1's rates are those of a
    /// running site, while the click rate climbs for a few days after the pre-history as the rankers and the users'
    /// interests feed each other. 0: calibrate right after the pre-history (the shared-click worlds).
    /// </summary>
    public int BurnInDays { get; init; }
    /// <summary>
    /// The sub-domain's visits on each test day, as a multiple of a training day's: a larger sample of the same days'
    /// traffic (the same users, tastes and mechanisms), for experiments that need more test users with a click and a
    /// non-click than one day's sparse traffic holds. The training days' files do not change with it. 1: every day alike.
    /// </summary>
    public double TestTrafficScale { get; init; } = 1;

    /// <summary>Days whose rows are for training (all but the test days).</summary>
    [JsonIgnore]
    public int TrainDays => Days - TestDays;

    /// <summary>True when the site has subsystems with click mechanisms of their own (<see cref="Subsystems"/>).</summary>
    [JsonIgnore]
    public bool HasSubsystems => Subsystems is { Count: > 0 };

    /// <summary>The first training day whose sub-domain rows are in <c>sub_train</c> (0 when every training day's are).</summary>
    [JsonIgnore]
    public int FirstSubTrainDay => SubTrainDays == 0 ? 0 : TrainDays - SubTrainDays;

    /// <summary>The preset names <see cref="Preset(string)"/> knows.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["tiny", "small", "default", "large", "shared-click", "shared-click-tiny", "shared-click-small"];

    /// <summary>
    /// A named world. <c>tiny</c> (tests, seconds), <c>small</c>, <c>default</c> (the demo and the paper's
    /// experiment) and <c>large</c> are the paper's site: products, videos and ads with mechanisms of their own,
    /// ~10× more super-domain than sub-domain impressions per day and ~2× its users (Table 1: 27× over its 8
    /// against 3 days), tastes drifting over days, pre-training days before two sub-domain training days, then
    /// the test days (§6.1).
    /// <c>shared-click</c> (the former default), <c>shared-click-small</c> and <c>shared-click-tiny</c> are the
    /// earlier world: one click model for the whole site, the regime where merging the domains is expected to work.
    /// </summary>
    public static WorldOptions Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Site with { Users = 1_500, Items = 2_000, Shops = 200, Categories = 20, Days = 8, TestDays = 2, SuperImpressions = 67_500, SubImpressions = 10_000, RowGroupSize = 16_384 },
        "small" => Site with { Users = 10_000, Items = 10_000, Shops = 800, Categories = 60, Days = 10, TestDays = 3, SuperImpressions = 440_000, SubImpressions = 70_000 },
        "default" => Site,
        "large" => Site with { Users = 300_000, Items = 300_000, Shops = 20_000, Categories = 400, SuperImpressions = 13_200_000, SubImpressions = 2_400_000, RowGroupSize = 131_072 },
        "shared-click" => new WorldOptions(),
        "shared-click-tiny" => new WorldOptions { Users = 600, Items = 1_500, Shops = 150, Categories = 20, Days = 6, SuperImpressions = 60_000, SubImpressions = 12_000, RowGroupSize = 16_384 },
        "shared-click-small" => new WorldOptions { Users = 5_000, Items = 8_000, Shops = 600, Categories = 60, Days = 10, SuperImpressions = 200_000, SubImpressions = 50_000 },
        _ => throw new ArgumentException($"Unknown preset '{name}'; use one of: {string.Join(", ", PresetNames)}.", nameof(name)),
    };

    /// <summary>
    /// The default site (see docs/data.md for the sentence of the paper behind each number): 60k users, half of
    /// whom see ads; 12 days = 5 pre-training days, 2 sub-domain training days, 5 test days; per day ~470k
    /// impressions of products and videos and ~50k of ads — the super-domain ~10× the sub-domain per day, as
    /// Table 1's 5.8e10 impressions over 8 days are to 2.1e9 over 3 (its "27 times" compares those spans).
    /// </summary>
    private static WorldOptions Site { get; } = new()
    {
        Users = 60_000, Items = 40_000, Shops = 3_000, Categories = 150,
        Days = 12, TestDays = 5, SubTrainDays = 2,
        SuperImpressions = 3_290_000, SubImpressions = 600_000,
        Subsystems = SubsystemOptions.PaperSite,
        TasteDrift = 0.97,
        BurnInDays = 3,
        TargetClickRate = 0.033,
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The options as JSON (what <see cref="Read(string)"/> reads back).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the options as JSON to <paramref name="path"/>.</summary>
    public void Write(string path) => File.WriteAllText(path, ToJson());

    /// <summary>
    /// Reads options from a JSON file: the options themselves, or the <c>world.json</c> a generated dataset
    /// carries (its <c>options</c>). Options it does not set keep the defaults; an unknown option is an error
    /// naming it.
    /// </summary>
    public static WorldOptions Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: world options not found.", path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("generator", out _) && root.TryGetProperty("options", out var nested)) root = nested;
            var options = root.Deserialize<WorldOptions>(Json) ?? throw new JsonException("the file holds null");
            options.Validate();
            return options;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber is { } line ? line + 1 : null, null, $"not usable world options ({e.Message})", e);
        }
    }

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
        Require(SubTrainDays >= 0 && SubTrainDays < TrainDays, nameof(SubTrainDays), "at least 0 and less than the training days (Days − TestDays)");
        Require(TasteDrift is >= 0 and <= 1, nameof(TasteDrift), "in [0, 1]");
        Require(BurnInDays is >= 0 and <= 30, nameof(BurnInDays), "between 0 and 30");
        Require(TestTrafficScale is >= 1 and <= 20, nameof(TestTrafficScale), "between 1 and 20");
        if (Subsystems is { Count: > 0 } subsystems)
        {
            foreach (var subsystem in subsystems) subsystem.Validate();
            Require(subsystems.Count(s => s.IsSubDomain) == 1, nameof(Subsystems), "a list with exactly one sub-domain subsystem");
            Require(subsystems.Where(s => !s.IsSubDomain).Sum(s => s.ImpressionShare) > 0, nameof(Subsystems), "a list whose other subsystems have impressions");
            Require(subsystems.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() == subsystems.Count, nameof(Subsystems), "a list of distinct names");
        }
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok) throw new ArgumentException($"World option {name} must be {what}.", name);
    }
}
