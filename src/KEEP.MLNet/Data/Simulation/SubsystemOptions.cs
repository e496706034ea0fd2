namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// One subsystem of a simulated site (paper §6.1: the homepage shows "recommended products, short videos and
/// advertisements"; the super-domain is all of them, the sub-domain is the ad subsystem). Each has its own
/// catalogue, its own ranker and its own click mechanism on top of the user's shared long-term taste.
/// </summary>
public sealed record SubsystemOptions
{
    /// <summary>Name (products, videos, ads, ...).</summary>
    public required string Name { get; init; }
    /// <summary>True for the subsystem whose rows form the sub-domain (exactly one subsystem).</summary>
    public bool IsSubDomain { get; init; }
    /// <summary>
    /// Share of the super-domain's other traffic (<see cref="WorldOptions.SuperImpressions"/>) this subsystem
    /// serves; ignored for the sub-domain, whose volume is <see cref="WorldOptions.SubImpressions"/>.
    /// </summary>
    public double ImpressionShare { get; init; } = 1;
    /// <summary>Share of users who ever visit the subsystem.</summary>
    public double UserShare { get; init; } = 1;
    /// <summary>Share of the catalogue it can show (ads: the items of advertising shops; videos: items with a video).</summary>
    public double CatalogueShare { get; init; } = 1;
    /// <summary>True when the catalogue share is drawn per shop (advertisers are shops), false when per item.</summary>
    public bool CatalogueByShop { get; init; }
    /// <summary>Exponent on the site's item popularity for this subsystem's candidates (above 1: more concentrated).</summary>
    public double PopularityExponent { get; init; } = 1;
    /// <summary>σ of a per-category shift of the subsystem's candidate mix (0: the site's mix).</summary>
    public double CategoryShiftSigma { get; init; }
    /// <summary>Weight of long-term taste affinity in the ranker's choice among candidates.</summary>
    public double RankerTasteWeight { get; init; } = 1;
    /// <summary>Weight of the recent-interest match in the ranker's choice.</summary>
    public double RankerInterestWeight { get; init; } = 0.5;
    /// <summary>Click rate the subsystem is calibrated to.</summary>
    public double ClickRate { get; init; } = 0.033;
    /// <summary>Add-to-cart rate per click the subsystem is calibrated to.</summary>
    public double CartRate { get; init; } = 0.0126;
    /// <summary>Conversion rate per click the subsystem is calibrated to.</summary>
    public double ConversionRate { get; init; } = 0.0179;
    /// <summary>Weight of long-term taste affinity in the click log-odds.</summary>
    public double TasteWeight { get; init; } = 0.9;
    /// <summary>Weight of the match with recent interests in the click log-odds.</summary>
    public double InterestWeight { get; init; } = 0.6;
    /// <summary>σ of each user's own propensity to click in this subsystem (log-odds).</summary>
    public double PropensitySigma { get; init; }
    /// <summary>σ of the item × subsystem presentation effect (how an item's card, video or creative lands; log-odds).</summary>
    public double PresentationSigma { get; init; }
    /// <summary>Position effect: log-odds fall by this × ln(1 + position on the page).</summary>
    public double PositionDecay { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Name), nameof(Name), "non-empty");
        Require(ImpressionShare is >= 0 and <= 1, nameof(ImpressionShare), "in [0, 1]");
        Require(UserShare is > 0 and <= 1, nameof(UserShare), "in (0, 1]");
        Require(CatalogueShare is > 0 and <= 1, nameof(CatalogueShare), "in (0, 1]");
        Require(PopularityExponent is >= 0 and <= 3, nameof(PopularityExponent), "between 0 and 3");
        Require(CategoryShiftSigma is >= 0 and <= 3, nameof(CategoryShiftSigma), "between 0 and 3");
        Require(Math.Abs(RankerTasteWeight) <= 5 && Math.Abs(RankerInterestWeight) <= 5, nameof(RankerTasteWeight), "between -5 and 5 (both ranker weights)");
        Require(ClickRate is > 0.001 and < 0.5, nameof(ClickRate), "between 0.001 and 0.5");
        Require(CartRate is > 0.0001 and < 0.9, nameof(CartRate), "between 0.0001 and 0.9");
        Require(ConversionRate is > 0.0001 and < 0.9, nameof(ConversionRate), "between 0.0001 and 0.9");
        Require(Math.Abs(TasteWeight) <= 5 && Math.Abs(InterestWeight) <= 5, nameof(TasteWeight), "between -5 and 5 (both click weights)");
        Require(PropensitySigma is >= 0 and <= 3, nameof(PropensitySigma), "between 0 and 3");
        Require(PresentationSigma is >= 0 and <= 3, nameof(PresentationSigma), "between 0 and 3");
        Require(PositionDecay is >= 0 and <= 3, nameof(PositionDecay), "between 0 and 3");
    }

    /// <summary>
    /// The site of the paper (§6.1, Table 1): recommended products and short videos make up the rest of the
    /// homepage, ads are the sub-domain. The rates are Table 1's; the mechanisms' weights are this project's
    /// assumptions (docs/data.md says why each differs), fixed before any KEEP result was looked at.
    /// </summary>
    public static IReadOnlyList<SubsystemOptions> PaperSite { get; } =
    [
        new()
        {
            Name = "products", ImpressionShare = 0.62, UserShare = 1, CatalogueShare = 1, PopularityExponent = 1,
            RankerTasteWeight = 1.0, RankerInterestWeight = 0.5,
            TasteWeight = 1.0, InterestWeight = 0.5, PropensitySigma = 0.3, PresentationSigma = 0.2, PositionDecay = 0.15,
        },
        new()
        {
            Name = "videos", ImpressionShare = 0.38, UserShare = 0.8, CatalogueShare = 0.5, PopularityExponent = 1.2, CategoryShiftSigma = 0.7,
            RankerTasteWeight = 0.5, RankerInterestWeight = 1.0,
            TasteWeight = 0.4, InterestWeight = 1.2, PropensitySigma = 0.5, PresentationSigma = 0.6, PositionDecay = 0.1,
        },
        new()
        {
            Name = "ads", IsSubDomain = true, UserShare = 0.5, CatalogueShare = 0.3, CatalogueByShop = true, PopularityExponent = 0.8, CategoryShiftSigma = 1.0,
            RankerTasteWeight = 0.8, RankerInterestWeight = 0.8,
            ClickRate = 0.039, CartRate = 0.0101, ConversionRate = 0.0111,
            TasteWeight = 0.7, InterestWeight = 0.8, PropensitySigma = 0.6, PresentationSigma = 0.5, PositionDecay = 0.3,
        },
    ];

    private void Require(bool ok, string name, string what)
    {
        if (!ok) throw new ArgumentException($"Subsystem '{Name}': {name} must be {what}.", name);
    }
}
