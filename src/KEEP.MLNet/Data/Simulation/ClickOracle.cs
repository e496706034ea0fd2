namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// The simulator's true click log-odds for rows of a generated file, recomputed from the <see cref="World"/>
/// and each row's behaviour sequence: the ranking ceiling that no model can beat (up to the recent-interest
/// vector, which the sequence reproduces to within 0.85^50 of the clicks it dropped). The intercept is left
/// out: it shifts every row alike and changes no ranking. On the paper's site the sub-domain's rows are scored
/// by the ad subsystem's mechanism with the taste of the row's day; the page position is not in a row, so it is
/// left out too. A super-domain row does not say which subsystem served it: it is scored by the first one.
/// </summary>
public sealed class ClickOracle
{
    private readonly BehaviourModel _behaviour;
    private readonly TasteTimeline _taste;
    private readonly ImpressionChannel[] _channels;
    private readonly ImpressionChannel _subDomain, _site;
    private readonly float[] _interest;

    /// <summary>Creates the oracle for the world the rows were generated from (same options and seed).</summary>
    public ClickOracle(World world)
    {
        ArgumentNullException.ThrowIfNull(world);
        _behaviour = new BehaviourModel(world);
        _taste = new TasteTimeline(world);
        _channels = Simulator.Channels(world, _behaviour);
        _subDomain = _channels.First(c => c.IsSubDomain);
        _site = _channels.First(c => !c.IsSubDomain);
        _interest = new float[world.Options.LatentDim];
    }

    /// <summary>The subsystems whose click mechanisms <see cref="Scores(ImpressionBatch, string)"/> can score by (empty under the shared click model).</summary>
    public IReadOnlyList<string> Subsystems => _channels.OfType<SubsystemChannel>().Select(c => c.Name).ToArray();

    /// <summary>True click log-odds (without intercept) of each row; <paramref name="subDomain"/> says which domain the rows are from.</summary>
    public float[] Scores(ImpressionBatch batch, bool subDomain) => Scores(batch, subDomain ? _subDomain : _site);

    /// <summary>
    /// The click log-odds (without intercept) the subsystem <paramref name="subsystem"/>'s mechanism gives each row,
    /// whichever subsystem served it: how well one subsystem's clicks describe another's (the other subsystems'
    /// mechanisms scoring the sub-domain's rows say how much a model of the rest of the site can know of the ads).
    /// </summary>
    /// <exception cref="ArgumentException">The world has no subsystem of that name (or no subsystems).</exception>
    public float[] Scores(ImpressionBatch batch, string subsystem)
    {
        ArgumentNullException.ThrowIfNull(subsystem);
        var channel = _channels.OfType<SubsystemChannel>().FirstOrDefault(c => c.Name == subsystem)
            ?? throw new ArgumentException($"The world has no subsystem '{subsystem}'; it has: {(Subsystems.Count == 0 ? "none (one shared click model)" : string.Join(", ", Subsystems))}.", nameof(subsystem));
        return Scores(batch, channel);
    }

    private float[] Scores(ImpressionBatch batch, ImpressionChannel channel)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var scores = new float[batch.Count];
        for (int r = 0; r < batch.Count; r++)
        {
            _behaviour.Taste = _taste.On(batch.Day[r]);
            Array.Clear(_interest);
            foreach (int clicked in batch.HistoryItemsOf(r)) _behaviour.UpdateInterest(_interest, clicked);
            int user = batch.UserId[r], item = batch.ItemId[r];
            scores[r] = (float)channel.ClickScore(user, item, _behaviour.Affinity(user, item), _behaviour.InterestMatch(_interest, item), position: 0);
        }
        return scores;
    }
}
