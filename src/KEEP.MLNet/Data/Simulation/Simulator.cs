namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// Plays a <see cref="World"/> forward day by day. Every day each user makes a Poisson number of site-wide
/// (super-domain) and sub-domain visits in proportion to their activity; the day's visits are interleaved
/// in a random order. A visit shows a page of items, each chosen by a simple ranker (the best of a few
/// popular candidates, softly by the user's taste) and labelled by the <see cref="BehaviourModel"/>; the
/// page's clicks are then appended to the user's behaviour sequence. Both domains feed the same behaviour sequence,
/// as on a real site. Users start with a pre-history of past clicks.
/// </summary>
public sealed class Simulator
{
    private readonly World _world;
    private readonly WorldOptions _options;
    private readonly BehaviourModel _behaviour;

    /// <summary>Creates a simulator over a world.</summary>
    public Simulator(World world)
    {
        _world = world;
        _options = world.Options;
        _behaviour = new BehaviourModel(world);
    }

    /// <summary>
    /// Generates every split, in day order, in blocks of at most <see cref="WorldOptions.RowGroupSize"/> rows.
    /// Each yielded batch is new: the consumer may keep it or hand it to another thread.
    /// </summary>
    public IEnumerable<SimulatedBatch> Run()
    {
        Calibrate();
        var state = new SimulationState(_world, _behaviour, new SeededRandom(_options.Seed, stream: 2));
        state.SeedHistories();
        double page = _options.ImpressionsPerVisit;
        double superRate = _options.SuperImpressions / (_options.TrainDays * Sum(_world.UserActivity) * page);
        double subRate = _options.SubImpressions / (_options.Days * Math.Max(Sum(_world.UserSubActivity), 1e-9) * page);
        var pending = new ImpressionBatch[3];
        for (int s = 0; s < pending.Length; s++) pending[s] = new ImpressionBatch(_options.RowGroupSize);
        var events = new List<int>();

        for (int day = 0; day < _options.Days; day++)
        {
            bool testDay = day >= _options.TrainDays;
            events.Clear();
            for (int u = 1; u <= _options.Users; u++)
            {
                int site = state.Random.NextPoisson(superRate * _world.UserActivity[u]);
                int sub = state.Random.NextPoisson(subRate * _world.UserSubActivity[u]);
                for (int k = 0; k < site; k++) events.Add(u << 1);
                for (int k = 0; k < sub; k++) events.Add(u << 1 | 1);
            }
            state.Random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(events));

            foreach (int e in events)
            {
                bool subDomain = (e & 1) == 1;
                int impressions = 1 + state.Random.NextPoisson(page - 1);
                if (!subDomain && testDay)
                {
                    // The site keeps running on test days (histories move on) but those rows are not released:
                    // pre-training only ever sees days before the test days.
                    state.Visit(day, e >> 1, subDomain: false, impressions, into: null);
                    continue;
                }
                var split = subDomain ? (testDay ? DatasetSplit.SubTest : DatasetSplit.SubTrain) : DatasetSplit.Super;
                var batch = pending[(int)split];
                state.Visit(day, e >> 1, subDomain, impressions, batch);
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

    /// <summary>The click intercept in use (calibrated by <see cref="Run()"/>).</summary>
    public double ClickIntercept => _behaviour.ClickIntercept;

    /// <summary>Sets the click intercept so that the site's click rate matches the target (own random stream).</summary>
    private void Calibrate()
    {
        var probe = new SimulationState(_world, _behaviour, new SeededRandom(_options.Seed, stream: 4));
        probe.SeedHistories();
        _behaviour.ClickIntercept = BehaviourModel.InterceptFor(probe.SampleClickScores(20_000), _options.TargetClickRate);
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
