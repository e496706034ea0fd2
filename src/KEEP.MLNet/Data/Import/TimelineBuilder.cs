using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Data.Import;

/// <summary>Where the rows of a user's timeline go. Any of them may be null (not wanted).</summary>
internal sealed record TimelineOutputs(DayOrderedWriter? Views, DayOrderedWriter? AdTrain, DayOrderedWriter? AdTest, int FirstTestDay);

/// <summary>
/// Turns each user's events, in time order, into impression rows: a view becomes a clicked impression
/// (labelled cart/conversion when the same item is carted/bought within the label window) plus sampled
/// unclicked ones; an ad impression becomes a row with its own click label. Every row carries the views
/// that came strictly before it as its behaviour sequence.
/// </summary>
internal sealed class TimelineBuilder
{
    private const int ReservoirSize = 1 << 20;
    private readonly ImportOptions _options;
    private readonly ImportReport _report;
    private readonly long _origin;
    private readonly SeededRandom _random;
    private readonly (int Item, int Shop, int Category)[] _reservoir = new (int, int, int)[ReservoirSize];
    private long _reservoirCount;
    private readonly List<(int Item, int Shop, int Category)> _history = [];
    private readonly Dictionary<int, List<long>> _cartTimes = [], _buyTimes = [];
    private readonly ImpressionBatch _rows = new(256);
    private readonly int[] _items, _shops, _categories;

    public TimelineBuilder(ImportOptions options, ImportReport report, DateTimeOffset origin)
    {
        _options = options;
        _report = report;
        _origin = origin.ToUnixTimeSeconds();
        _random = new SeededRandom(options.Seed, stream: 3);
        _items = new int[options.HistoryLength];
        _shops = new int[options.HistoryLength];
        _categories = new int[options.HistoryLength];
    }

    /// <summary>Day index of a Unix time relative to the origin (may be negative).</summary>
    public long DayOf(long unixSeconds) => (long)Math.Floor((unixSeconds - _origin) / 86_400.0);

    /// <summary>Processes a sorted bucket (consecutive events of the same user form a timeline).</summary>
    public void Process(RawEvent[] events, TimelineOutputs outputs)
    {
        int start = 0;
        while (start < events.Length)
        {
            int end = start;
            while (end < events.Length && events[end].User == events[start].User) end++;
            ProcessUser(events.AsSpan(start, end - start), outputs);
            start = end;
        }
    }

    private void ProcessUser(ReadOnlySpan<RawEvent> events, TimelineOutputs outputs)
    {
        _history.Clear();
        _cartTimes.Clear();
        _buyTimes.Clear();
        foreach (var e in events)
        {
            if (e.Kind == RawEventKind.Cart) Times(_cartTimes, e.Item).Add(e.Time);
            else if (e.Kind == RawEventKind.Buy) Times(_buyTimes, e.Item).Add(e.Time);
        }
        foreach (var e in events)
        {
            int day = (int)DayOf(e.Time);
            if (e.Kind == RawEventKind.AdImpression)
            {
                var target = day >= outputs.FirstTestDay ? outputs.AdTest : outputs.AdTrain;
                if (target != null) Emit(target, day, e.User, e.Item, e.Shop, e.Category, e.Clicked, false, false);
            }
            else if (e.Kind == RawEventKind.View)
            {
                if (outputs.Views != null && day < outputs.FirstTestDay) EmitView(outputs.Views, day, e);
                Remember(e);
            }
        }
    }

    private void EmitView(DayOrderedWriter output, int day, RawEvent e)
    {
        long until = e.Time + (long)_options.LabelWindow.TotalSeconds;
        bool cart = Within(_cartTimes, e.Item, e.Time, until);
        bool buy = Within(_buyTimes, e.Item, e.Time, until);
        Emit(output, day, e.User, e.Item, e.Shop, e.Category, true, cart, buy);
        _report.Positives++;
        for (int k = 0; k < _options.NegativesPerPositive && _reservoirCount > 0; k++)
        {
            var negative = _reservoir[_random.NextInt((int)Math.Min(_reservoirCount, ReservoirSize))];
            if (negative.Item == e.Item) { _report.Skip("negative sample equal to the viewed item (not redrawn)"); continue; }
            Emit(output, day, e.User, negative.Item, negative.Shop, negative.Category, false, false, false);
            _report.SampledNegatives++;
        }
    }

    private void Emit(DayOrderedWriter output, int day, int user, int item, int shop, int category, bool click, bool cart, bool conversion)
    {
        int n = _history.Count;
        for (int k = 0; k < n; k++) (_items[k], _shops[k], _categories[k]) = _history[k];
        _rows.Clear();
        _rows.Add(day, user, item, shop, category, _items.AsSpan(0, n), _shops.AsSpan(0, n), _categories.AsSpan(0, n), click, cart, conversion);
        output.Add(_rows, 0);
    }

    private void Remember(RawEvent e)
    {
        if (_history.Count == _options.HistoryLength) _history.RemoveAt(0);
        _history.Add((e.Item, e.Shop, e.Category));
        _reservoir[_reservoirCount++ % ReservoirSize] = (e.Item, e.Shop, e.Category);
    }

    private static List<long> Times(Dictionary<int, List<long>> byItem, int item)
    {
        if (!byItem.TryGetValue(item, out var list)) byItem[item] = list = [];
        return list;
    }

    private static bool Within(Dictionary<int, List<long>> byItem, int item, long from, long until)
        => byItem.TryGetValue(item, out var times) && times.Exists(t => t >= from && t <= until);
}
