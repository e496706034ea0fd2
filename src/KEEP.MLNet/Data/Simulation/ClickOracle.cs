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
    private readonly ImpressionChannel _subDomain, _site;
    private readonly float[] _interest;

    /// <summary>Creates the oracle for the world the rows were generated from (same options and seed).</summary>
    public ClickOracle(World world)
    {
        ArgumentNullException.ThrowIfNull(world);
        _behaviour = new BehaviourModel(world);
        _taste = new TasteTimeline(world);
        var channels = Simulator.Channels(world, _behaviour);
        _subDomain = channels.First(c => c.IsSubDomain);
        _site = channels.First(c => !c.IsSubDomain);
        _interest = new float[world.Options.LatentDim];
    }

    /// <summary>True click log-odds (without intercept) of each row; <paramref name="subDomain"/> says which domain the rows are from.</summary>
    public float[] Scores(ImpressionBatch batch, bool subDomain)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var channel = subDomain ? _subDomain : _site;
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
