namespace KEEP.MLNet.Data.Simulation;

/// <summary>The moving part of a simulation: every user's behaviour sequence and recent interests.</summary>
internal sealed class SimulationState
{
    private readonly World _world;
    private readonly BehaviourModel _behaviour;
    private readonly ImpressionChannel _historyChannel;
    private readonly int _length, _d;
    private readonly int[] _history, _historyStart, _historyCount;
    private readonly float[] _interest;
    private readonly int[] _candidates;
    private readonly float[] _affinity, _match;
    private readonly double[] _weight;
    private readonly int[] _outItems, _outShops, _outCategories;
    private readonly List<int> _clicked = [];

    /// <summary>State over <paramref name="world"/>; <paramref name="historyChannel"/>'s choices make up the users' pre-history.</summary>
    public SimulationState(World world, BehaviourModel behaviour, ImpressionChannel historyChannel, SeededRandom random)
    {
        _world = world;
        _behaviour = behaviour;
        _historyChannel = historyChannel;
        Random = random;
        var options = world.Options;
        _length = options.HistoryLength;
        _d = options.LatentDim;
        _history = new int[(options.Users + 1) * _length];
        _historyStart = new int[options.Users + 1];
        _historyCount = new int[options.Users + 1];
        _interest = new float[(options.Users + 1) * _d];
        int c = options.CandidatesPerImpression;
        _candidates = new int[c];
        _affinity = new float[c];
        _match = new float[c];
        _weight = new double[c];
        _outItems = new int[_length];
        _outShops = new int[_length];
        _outCategories = new int[_length];
    }

    public SeededRandom Random { get; }

    /// <summary>Gives every user a pre-history of past clicks, more for more active users.</summary>
    public void SeedHistories()
    {
        for (int u = 1; u < _historyCount.Length; u++)
        {
            var interest = Interest(u);
            int past = Math.Min(_length, Random.NextPoisson(6 + 18 * _world.UserActivity[u]));
            for (int k = 0; k < past; k++)
            {
                int chosen = Rank(u, _historyChannel);
                Remember(u, _candidates[chosen]);
                _behaviour.UpdateInterest(interest, _candidates[chosen]);
            }
        }
    }

    /// <summary>
    /// <paramref name="samples"/> impressions of <paramref name="channel"/> to users drawn by their activity there,
    /// as its ranker would show them after the pre-history, with their click scores (log-odds without intercept);
    /// with <paramref name="pagePositions"/> each at a position drawn as pages place them (else position 0).
    /// Leaves no trace.
    /// </summary>
    public ChannelSample[] SampleImpressions(ImpressionChannel channel, int samples, bool pagePositions)
    {
        var users = new AliasSampler(channel.Activity);
        var result = new ChannelSample[samples];
        double page = _world.Options.ImpressionsPerVisit;
        for (int s = 0; s < samples; s++)
        {
            int user = users.Sample(Random);
            int chosen = Rank(user, channel);
            int position = pagePositions ? Random.NextInt(1 + Random.NextPoisson(page - 1)) : 0;
            int item = _candidates[chosen];
            result[s] = new ChannelSample(user, item, channel.ClickScore(user, item, _affinity[chosen], _match[chosen], position));
        }
        return result;
    }

    /// <summary>
    /// Simulates one visit: <paramref name="impressions"/> items shown together, all with the behaviour
    /// sequence as it was when the visit began; the clicks extend it afterwards. Rows go to
    /// <paramref name="into"/> (null: simulate only).
    /// </summary>
    public void Visit(int day, int user, ImpressionChannel channel, int impressions, ImpressionBatch? into)
    {
        int n = into != null ? CopyHistory(user) : 0;
        _clicked.Clear();
        for (int i = 0; i < impressions; i++)
        {
            int chosen = Rank(user, channel);
            int item = _candidates[chosen];
            bool click = Random.Bernoulli(channel.ClickProbability(user, item, _affinity[chosen], _match[chosen], position: i));
            bool cart = click && Random.Bernoulli(channel.CartProbability(user, item));
            bool conversion = click && Random.Bernoulli(channel.ConversionProbability(user, item, cart));
            into?.Add(day, user, item, _world.ItemShop[item], _world.ItemCategory[item],
                _outItems.AsSpan(0, n), _outShops.AsSpan(0, n), _outCategories.AsSpan(0, n), click, cart, conversion);
            if (click) _clicked.Add(item);
        }
        foreach (int item in _clicked)
        {
            Remember(user, item);
            _behaviour.UpdateInterest(Interest(user), item);
        }
    }

    private Span<float> Interest(int user) => _interest.AsSpan(user * _d, _d);

    /// <summary>Draws the channel's candidates by popularity and picks one softly by its ranker; returns its slot.</summary>
    private int Rank(int user, ImpressionChannel channel)
    {
        var popularity = channel.Candidates;
        var interest = Interest(user);
        double total = 0;
        for (int c = 0; c < _candidates.Length; c++)
        {
            int item = popularity.Sample(Random);
            _candidates[c] = item;
            _affinity[c] = _behaviour.Affinity(user, item);
            _match[c] = _behaviour.InterestMatch(interest, item);
            total += _weight[c] = channel.RankWeight(_affinity[c], _match[c]);
        }
        double pick = Random.NextDouble() * total;
        for (int c = 0; c < _candidates.Length - 1; c++)
        {
            pick -= _weight[c];
            if (pick < 0) return c;
        }
        return _candidates.Length - 1;
    }

    private void Remember(int user, int item)
    {
        int baseIndex = user * _length;
        if (_historyCount[user] < _length)
        {
            _history[baseIndex + (_historyStart[user] + _historyCount[user]) % _length] = item;
            _historyCount[user]++;
        }
        else
        {
            _history[baseIndex + _historyStart[user]] = item;
            _historyStart[user] = (_historyStart[user] + 1) % _length;
        }
    }

    /// <summary>Copies the user's behaviour sequence, oldest first, into the output buffers.</summary>
    private int CopyHistory(int user)
    {
        int n = _historyCount[user], start = _historyStart[user], baseIndex = user * _length;
        for (int k = 0; k < n; k++)
        {
            int item = _history[baseIndex + (start + k) % _length];
            _outItems[k] = item;
            _outShops[k] = _world.ItemShop[item];
            _outCategories[k] = _world.ItemCategory[item];
        }
        return n;
    }
}

/// <summary>A sampled impression and its click score (log-odds without intercept).</summary>
internal readonly record struct ChannelSample(int User, int Item, double ClickScore);
