namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// How simulated users respond to an impression. All three tasks share the user's taste but weigh it
/// differently, so each task carries information the others do not:
/// <list type="bullet">
/// <item>click: taste × item affinity, match with recent interests (what the behaviour sequence shows),
/// the user's and the item's own bias, and a per-domain bias;</item>
/// <item>add-to-cart (after a click): purchase taste, item quality, purchase propensity;</item>
/// <item>conversion (after a click): purchase taste, price × price sensitivity, propensity, and a cart.</item>
/// </list>
/// </summary>
public sealed class BehaviourModel
{
    /// <summary>Weight of long-term taste affinity in the click log-odds.</summary>
    public const double ClickAffinityWeight = 0.9;
    /// <summary>Weight of the match with recent interests in the click log-odds.</summary>
    public const double ClickInterestWeight = 0.6;
    /// <summary>Extra click log-odds of the sub-domain.</summary>
    public const double SubDomainClickBias = -0.25;
    /// <summary>Base cart log-odds given a click.</summary>
    public const double CartIntercept = -3.7;
    /// <summary>Base conversion log-odds given a click.</summary>
    public const double ConversionIntercept = -4.8;
    /// <summary>How fast recent interests follow new clicks (weight of the newest click).</summary>
    public const float InterestUpdateRate = 0.15f;

    private readonly World _world;
    private readonly int _d;
    private readonly float _scale;

    /// <summary>Creates the model over a world.</summary>
    public BehaviourModel(World world)
    {
        _world = world;
        _d = world.Options.LatentDim;
        _scale = 1f / MathF.Sqrt(_d);
    }

    /// <summary>
    /// The users' long-term taste factors in use, <c>[user * LatentDim + j]</c>: the world's, or those of the day a
    /// drifting world has reached (<see cref="TasteTimeline"/>).
    /// </summary>
    public float[] Taste
    {
        get => _taste ?? _world.UserFactors;
        set => _taste = value ?? throw new ArgumentNullException(nameof(value));
    }
    private float[]? _taste;

    /// <summary>Long-term taste affinity ⟨user, item⟩/√d (about unit variance).</summary>
    public float Affinity(int user, int item) => Dot(Taste, user, _world.ItemFactors, item);

    /// <summary>Match between the item and the user's recent-interest vector.</summary>
    public float InterestMatch(ReadOnlySpan<float> interest, int item)
    {
        var v = _world.ItemFactors.AsSpan(item * _d, _d);
        float sum = 0;
        for (int j = 0; j < _d; j++) sum += interest[j] * v[j];
        return sum * _scale;
    }

    /// <summary>
    /// Base click log-odds on the whole site. The simulator calibrates it so that the site's click rate
    /// is <see cref="WorldOptions.TargetClickRate"/>, whatever the world's size and shape.
    /// </summary>
    public double ClickIntercept { get; set; } = -5.0;

    /// <summary>Click log-odds without the intercept.</summary>
    public double ClickScore(int user, int item, float affinity, float interestMatch, bool subDomain)
    {
        double score = ClickAffinityWeight * affinity + ClickInterestWeight * interestMatch + _world.UserBias[user] + _world.ItemQuality[item];
        if (subDomain) score += SubDomainClickBias + _world.SubDomainCategoryBias[_world.ItemCategory[item]];
        return score;
    }

    /// <summary>Click probability of <paramref name="item"/> shown to <paramref name="user"/>.</summary>
    public double ClickProbability(int user, int item, float affinity, float interestMatch, bool subDomain)
        => Sigmoid(ClickIntercept + ClickScore(user, item, affinity, interestMatch, subDomain));

    /// <summary>
    /// The intercept c at which the mean of sigmoid(c + score) over <paramref name="scores"/> equals
    /// <paramref name="rate"/> (bisection; the mean is increasing in c).
    /// </summary>
    public static double InterceptFor(ReadOnlySpan<double> scores, double rate)
    {
        var values = scores.ToArray();
        return Solve(c =>
        {
            double sum = 0;
            foreach (double score in values) sum += Sigmoid(c + score);
            return sum / values.Length;
        }, rate);
    }

    /// <summary>Add-to-cart probability given a click.</summary>
    public double CartProbability(int user, int item)
        => Sigmoid(CartIntercept + 0.8 * Dot(_world.UserPurchaseFactors, user, _world.ItemFactors, item)
            + 0.5 * _world.ItemQuality[item] + _world.UserPurchasePropensity[user]);

    /// <summary>Conversion probability given a click (and whether the item was carted).</summary>
    public double ConversionProbability(int user, int item, bool carted)
        => Sigmoid(ConversionIntercept + 0.6 * Dot(_world.UserPurchaseFactors, user, _world.ItemFactors, item)
            - 0.6 * _world.UserPriceSensitivity[user] * _world.ItemPrice[item]
            + _world.UserPurchasePropensity[user] + (carted ? 1.2 : 0));

    /// <summary>Add-to-cart log-odds given a click, without an intercept (a subsystem calibrates its own).</summary>
    public double CartScore(int user, int item)
        => 0.8 * Dot(_world.UserPurchaseFactors, user, _world.ItemFactors, item) + 0.5 * _world.ItemQuality[item] + _world.UserPurchasePropensity[user];

    /// <summary>Conversion log-odds given a click (and whether the item was carted), without an intercept.</summary>
    public double ConversionScore(int user, int item, bool carted)
        => 0.6 * Dot(_world.UserPurchaseFactors, user, _world.ItemFactors, item) - 0.6 * _world.UserPriceSensitivity[user] * _world.ItemPrice[item]
            + _world.UserPurchasePropensity[user] + (carted ? 1.2 : 0);

    /// <summary>
    /// The c at which <paramref name="meanAt"/>(c) — increasing in c — equals <paramref name="rate"/> (bisection).
    /// </summary>
    public static double Solve(Func<double, double> meanAt, double rate)
    {
        double low = -20, high = 20;
        for (int iteration = 0; iteration < 60; iteration++)
        {
            double middle = (low + high) / 2;
            if (meanAt(middle) < rate) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>Moves a recent-interest vector towards a clicked item.</summary>
    public void UpdateInterest(Span<float> interest, int item)
    {
        var v = _world.ItemFactors.AsSpan(item * _d, _d);
        for (int j = 0; j < _d; j++) interest[j] += InterestUpdateRate * (v[j] - interest[j]);
    }

    private float Dot(float[] users, int user, float[] items, int item)
    {
        var a = users.AsSpan(user * _d, _d);
        var b = items.AsSpan(item * _d, _d);
        float sum = 0;
        for (int j = 0; j < _d; j++) sum += a[j] * b[j];
        return sum * _scale;
    }

    internal static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
