namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// Where an impression is served — the whole site under the shared click model, or one subsystem of the
/// paper's site: which candidates its ranker draws, how it chooses among them, and how users respond.
/// </summary>
internal abstract class ImpressionChannel
{
    protected ImpressionChannel(string name, bool isSubDomain, AliasSampler candidates, double[] activity)
    {
        Name = name;
        IsSubDomain = isSubDomain;
        Candidates = candidates;
        Activity = activity;
    }

    /// <summary>Name in statistics and errors.</summary>
    public string Name { get; }
    /// <summary>True when the channel's rows are the sub-domain's.</summary>
    public bool IsSubDomain { get; }
    /// <summary>Draws the ranker's candidate items.</summary>
    public AliasSampler Candidates { get; }
    /// <summary>Each user's relative visit rate to the channel (0: never visits).</summary>
    public double[] Activity { get; }

    /// <summary>The ranker's (unnormalised) weight of a candidate.</summary>
    public abstract double RankWeight(float affinity, float interestMatch);

    /// <summary>Click log-odds without the intercept, for an impression at <paramref name="position"/> (0-based) of its page.</summary>
    public abstract double ClickScore(int user, int item, float affinity, float interestMatch, int position);

    /// <summary>Base click log-odds (calibrated by the simulator).</summary>
    public double ClickIntercept { get; set; }

    /// <summary>Click probability.</summary>
    public double ClickProbability(int user, int item, float affinity, float interestMatch, int position)
        => BehaviourModel.Sigmoid(ClickIntercept + ClickScore(user, item, affinity, interestMatch, position));

    /// <summary>Add-to-cart probability given a click.</summary>
    public abstract double CartProbability(int user, int item);

    /// <summary>Conversion probability given a click.</summary>
    public abstract double ConversionProbability(int user, int item, bool carted);
}

/// <summary>The shared click model: one mechanism for the whole site, the sub-domain differing by its biases.</summary>
internal sealed class SharedClickChannel : ImpressionChannel
{
    private const float RankerTemperature = 1.0f;
    private readonly BehaviourModel _behaviour;

    public SharedClickChannel(BehaviourModel behaviour, World world, bool isSubDomain)
        : base(isSubDomain ? "sub-domain" : "site", isSubDomain,
            new AliasSampler(isSubDomain ? world.SubDomainPopularity : world.ItemPopularity),
            isSubDomain ? world.UserSubActivity : world.UserActivity)
        => _behaviour = behaviour;

    public override double RankWeight(float affinity, float interestMatch) => Math.Exp(RankerTemperature * (affinity + 0.5f * interestMatch));

    public override double ClickScore(int user, int item, float affinity, float interestMatch, int position)
        => _behaviour.ClickScore(user, item, affinity, interestMatch, IsSubDomain);

    public override double CartProbability(int user, int item) => _behaviour.CartProbability(user, item);

    public override double ConversionProbability(int user, int item, bool carted) => _behaviour.ConversionProbability(user, item, carted);
}

/// <summary>One subsystem of the paper's site, with its own ranker and click mechanism over the users' shared taste.</summary>
internal sealed class SubsystemChannel : ImpressionChannel
{
    private readonly BehaviourModel _behaviour;
    private readonly World _world;
    private readonly SubsystemOptions _options;
    private readonly SubsystemTruth _truth;

    public SubsystemChannel(BehaviourModel behaviour, World world, SubsystemTruth truth)
        : base(truth.Options.Name, truth.Options.IsSubDomain, new AliasSampler(truth.Popularity), truth.Activity)
    {
        _behaviour = behaviour;
        _world = world;
        _options = truth.Options;
        _truth = truth;
    }

    /// <summary>Base cart log-odds given a click (calibrated by the simulator).</summary>
    public double CartIntercept { get; set; } = BehaviourModel.CartIntercept;
    /// <summary>Base conversion log-odds given a click (calibrated by the simulator).</summary>
    public double ConversionIntercept { get; set; } = BehaviourModel.ConversionIntercept;

    /// <summary>The subsystem's share of the super-domain's other traffic.</summary>
    public double Share => _options.ImpressionShare;

    /// <summary>
    /// Sets the intercepts so that, over <paramref name="samples"/> of the subsystem's impressions, the click rate
    /// and the cart and conversion rates per click are the subsystem's.
    /// </summary>
    public void Calibrate(IReadOnlyList<ChannelSample> samples)
    {
        var scores = samples.Select(s => s.ClickScore).ToArray();
        ClickIntercept = BehaviourModel.InterceptFor(scores, _options.ClickRate);
        var click = scores.Select(x => BehaviourModel.Sigmoid(ClickIntercept + x)).ToArray();
        double clicks = click.Sum();
        var cart = samples.Select(s => _behaviour.CartScore(s.User, s.Item)).ToArray();
        double PerClick(Func<int, double> probability)
        {
            double sum = 0;
            for (int k = 0; k < click.Length; k++) sum += click[k] * probability(k);
            return sum / clicks;
        }
        CartIntercept = BehaviourModel.Solve(c => PerClick(k => BehaviourModel.Sigmoid(c + cart[k])), _options.CartRate);
        var carted = cart.Select(x => BehaviourModel.Sigmoid(CartIntercept + x)).ToArray();
        var withCart = samples.Select(s => _behaviour.ConversionScore(s.User, s.Item, carted: true)).ToArray();
        var withoutCart = samples.Select(s => _behaviour.ConversionScore(s.User, s.Item, carted: false)).ToArray();
        ConversionIntercept = BehaviourModel.Solve(
            c => PerClick(k => carted[k] * BehaviourModel.Sigmoid(c + withCart[k]) + (1 - carted[k]) * BehaviourModel.Sigmoid(c + withoutCart[k])),
            _options.ConversionRate);
    }

    public override double RankWeight(float affinity, float interestMatch)
        => Math.Exp(_options.RankerTasteWeight * affinity + _options.RankerInterestWeight * interestMatch);

    public override double ClickScore(int user, int item, float affinity, float interestMatch, int position)
        => _options.TasteWeight * affinity + _options.InterestWeight * interestMatch + _world.UserBias[user] + _world.ItemQuality[item]
            + _truth.Propensity[user] + _truth.Presentation[item] - _options.PositionDecay * Math.Log(1 + position);

    public override double CartProbability(int user, int item)
        => BehaviourModel.Sigmoid(CartIntercept + _behaviour.CartScore(user, item));

    public override double ConversionProbability(int user, int item, bool carted)
        => BehaviourModel.Sigmoid(ConversionIntercept + _behaviour.ConversionScore(user, item, carted));
}
