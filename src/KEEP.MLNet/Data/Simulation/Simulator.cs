namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// Plays a <see cref="World"/> forward day by day. Every day each user makes a Poisson number of visits to each
/// channel — the site and the sub-domain under the shared click model, or each subsystem of the paper's site —
/// in proportion to their activity there; the day's visits are interleaved in a random order. A visit shows a
/// page of items, each chosen by the channel's ranker (one of a few popular candidates of its catalogue, softly
/// by taste and recent interest) and labelled by the channel's click mechanism; the page's clicks are then
/// appended to the user's behaviour sequence. Every channel feeds the same behaviour sequence, as on a real
/// site. Users start with a pre-history of past clicks; a drifting world moves their taste every day.
/// </summary>
public sealed class Simulator
{
    private readonly World _world;
    private readonly WorldOptions _options;
    private readonly BehaviourModel _behaviour;
    private readonly TasteTimeline _taste;
    private readonly ImpressionChannel[] _channels;

    /// <summary>Creates a simulator over a world.</summary>
    public Simulator(World world)
    {
        _world = world;
        _options = world.Options;
        _behaviour = new BehaviourModel(world);
        _taste = new TasteTimeline(world);
        _channels = Channels(world, _behaviour);
    }

    /// <summary>
    /// Where impressions are served: under the shared click model the site and the sub-domain; on the paper's
    /// site each subsystem, in the options' order.
    /// </summary>
    internal static ImpressionChannel[] Channels(World world, BehaviourModel behaviour)
        => world.Subsystems.Count == 0
            ? [new SharedClickChannel(behaviour, world, isSubDomain: false), new SharedClickChannel(behaviour, world, isSubDomain: true)]
            : [.. world.Subsystems.Select(truth => new SubsystemChannel(behaviour, world, truth))];

    /// <summary>
    /// Generates every split, in day order, in blocks of at most <see cref="WorldOptions.RowGroupSize"/> rows.
    /// Each yielded batch is new: the consumer may keep it or hand it to another thread.
    /// </summary>
    public IEnumerable<SimulatedBatch> Run()
    {
        var rates = _channels.Select(VisitRate).ToArray();
        var testDayRates = _channels.Select((c, i) => c.IsSubDomain ? rates[i] * _options.TestTrafficScale : rates[i]).ToArray();
        var state = new SimulationState(_world, _behaviour, HistoryChannel, new SeededRandom(_options.Seed, stream: 2));
        if (_world.Subsystems.Count == 0) CalibrateSharedClick();
        state.SeedHistories();
        if (_world.Subsystems.Count > 0) RunIn(state, rates);
        double page = _options.ImpressionsPerVisit;
        var pending = new ImpressionBatch[3];
        for (int s = 0; s < pending.Length; s++) pending[s] = new ImpressionBatch(_options.RowGroupSize);
        var events = new List<int>();

        for (int day = 0; day < _options.Days; day++)
        {
            bool testDay = day >= _options.TrainDays;
            _behaviour.Taste = _taste.On(day);
            DayEvents(state, testDay ? testDayRates : rates, events);
            foreach (int e in events)
            {
                var channel = _channels[e % _channels.Length];
                int user = e / _channels.Length;
                int impressions = 1 + state.Random.NextPoisson(page - 1);
                if (!channel.IsSubDomain && testDay)
                {
                    // The site keeps running on test days (histories move on) but those rows are not released:
                    // pre-training only ever sees days before the test days.
                    state.Visit(day, user, channel, impressions, into: null);
                    continue;
                }
                var split = !channel.IsSubDomain ? DatasetSplit.Super
                    : testDay ? DatasetSplit.SubTest
                    : day >= _options.FirstSubTrainDay ? DatasetSplit.SubTrain
                    : DatasetSplit.Super; // before the sub-domain's training days its rows are the super-domain's (all traffic)
                var batch = pending[(int)split];
                state.Visit(day, user, channel, impressions, batch);
                if (batch.Count >= _options.RowGroupSize)
                {
                    yield return new SimulatedBatch(split, batch);
                    pending[(int)split] = new ImpressionBatch(_options.RowGroupSize);
                }
            }
        }
        for (int s = 0; s < pending.Length; s++)
            if (pending[s].Count > 0) yield return new SimulatedBatch((DatasetSplit)s, pending[s]);
    }

    /// <summary>The day's visits, user by user and channel by channel, in a random order: (user · channels + channel).</summary>
    private void DayEvents(SimulationState state, double[] rates, List<int> events)
    {
        events.Clear();
        for (int u = 1; u <= _options.Users; u++)
            for (int c = 0; c < _channels.Length; c++)
            {
                int visits = state.Random.NextPoisson(rates[c] * _channels[c].Activity[u]);
                for (int k = 0; k < visits; k++) events.Add(u * _channels.Length + c);
            }
        state.Random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(events));
    }

    /// <summary>One day of the site before logging starts: every visit happens, nothing is written.</summary>
    private void SimulateOnly(SimulationState state, double[] rates)
    {
        var events = new List<int>();
        DayEvents(state, rates, events);
        foreach (int e in events)
            state.Visit(-1, e / _channels.Length, _channels[e % _channels.Length], 1 + state.Random.NextPoisson(_options.ImpressionsPerVisit - 1), into: null);
    }

    /// <summary>The channel whose choices make up the users' pre-history: the site, or the first subsystem that is not the sub-domain.</summary>
    private ImpressionChannel HistoryChannel => _channels.First(c => !c.IsSubDomain);

    /// <summary>Visits per unit of activity per day that give the channel its expected impressions.</summary>
    private double VisitRate(ImpressionChannel channel)
    {
        double page = _options.ImpressionsPerVisit;
        double activity = Math.Max(Sum(channel.Activity), 1e-9);
        if (channel.IsSubDomain) return _options.SubImpressions / (_options.Days * activity * page);
        double share = channel is SubsystemChannel subsystem ? subsystem.Share / _channels.OfType<SubsystemChannel>().Where(c => !c.IsSubDomain).Sum(c => c.Share) : 1;
        return share * _options.SuperImpressions / (_options.TrainDays * activity * page);
    }

    /// <summary>The click intercept of the site (the shared click model) or of its first subsystem.</summary>
    public double ClickIntercept => HistoryChannel.ClickIntercept;

    /// <summary>
    /// The shared click model's calibration (on a random stream of its own, after a pre-history): the site's click
    /// rate to <see cref="WorldOptions.TargetClickRate"/>.
    /// </summary>
    private void CalibrateSharedClick()
    {
        var probe = new SimulationState(_world, _behaviour, HistoryChannel, new SeededRandom(_options.Seed, stream: 4));
        probe.SeedHistories();
        var scores = probe.SampleImpressions(HistoryChannel, 20_000, pagePositions: false).Select(s => s.ClickScore).ToArray();
        _behaviour.ClickIntercept = BehaviourModel.InterceptFor(scores, _options.TargetClickRate);
        foreach (var channel in _channels) channel.ClickIntercept = _behaviour.ClickIntercept;
    }

    /// <summary>
    /// The paper's site before logging starts: each subsystem's click rate, and its cart and conversion rates per
    /// click, are calibrated on impressions sampled from the site itself, which then runs a day unlogged under
    /// those intercepts, and so on for <see cref="WorldOptions.BurnInDays"/> days — so the logged days begin with
    /// the rates and the interests of a site that has been running under them.
    /// </summary>
    private void RunIn(SimulationState state, double[] rates)
    {
        for (int day = 0; ; day++)
        {
            foreach (var channel in _channels.Cast<SubsystemChannel>()) channel.Calibrate(state.SampleImpressions(channel, 20_000, pagePositions: true));
            if (day == _options.BurnInDays) break;
            SimulateOnly(state, rates);
        }
        _behaviour.ClickIntercept = HistoryChannel.ClickIntercept;
    }

    /// <summary>Generates one split only, as batches.</summary>
    public IEnumerable<ImpressionBatch> Run(DatasetSplit split)
        => Run().Where(b => b.Split == split).Select(b => b.Batch);

    private static double Sum(double[] values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum;
    }
}
