namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// The users' long-term taste day by day (<see cref="WorldOptions.TasteDrift"/> ρ): on each new day a user's
/// taste moves to ρ·taste + √(1 − ρ²)·ε, where ε is a fresh taste of the kind users start with — a new interest
/// in a category drawn by popularity plus an idiosyncratic part — so the taste keeps its variance and its
/// category structure while older days describe the user less and less well; each user's taste keeps its
/// length (a fresh interest in a popular category is not independent of the old taste, so the sum would grow). Day t depends only on the
/// world and t (a random stream per day), so the simulator and <see cref="ClickOracle"/> see the same tastes.
/// </summary>
public sealed class TasteTimeline
{
    private readonly World _world;
    private readonly List<float[]> _days = [];
    private readonly double[] _categoryScale;

    /// <summary>Creates the timeline of a world; day 0 is the world's own taste.</summary>
    public TasteTimeline(World world)
    {
        _world = world ?? throw new ArgumentNullException(nameof(world));
        _days.Add(world.UserFactors);
        int d = world.Options.LatentDim;
        _categoryScale = new double[world.Options.Categories + 1];
        for (int k = 1; k <= world.Options.Categories; k++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++) sum += world.CategoryFactors[k * d + j] * world.CategoryFactors[k * d + j];
            _categoryScale[k] = 1 / (Math.Sqrt(sum / d) + 1e-9);
        }
    }

    /// <summary>True when tastes move at all (ρ &lt; 1).</summary>
    public bool Drifts => _world.Options.TasteDrift < 1;

    /// <summary>The taste factors on <paramref name="day"/>, <c>[user * LatentDim + j]</c> (shared; do not modify).</summary>
    public float[] On(int day)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(day);
        lock (_days)
        {
            while (_days.Count <= day) _days.Add(Drifts ? Next(_days[^1], _days.Count) : _days[^1]);
            return _days[day];
        }
    }

    private float[] Next(float[] previous, int day)
    {
        var options = _world.Options;
        int d = options.LatentDim;
        double rho = options.TasteDrift, innovation = Math.Sqrt(1 - rho * rho), norm = Math.Sqrt(0.85 * 0.85 + 0.25);
        var random = new SeededRandom(options.Seed, stream: 1_000 + day);
        var categories = new AliasSampler(_world.CategoryPopularity);
        var next = new float[previous.Length];
        for (int u = 1; u <= options.Users; u++)
        {
            int category = categories.Sample(random);
            double before = 0, after = 0;
            for (int j = 0; j < d; j++)
            {
                double fresh = (0.85 * _world.CategoryFactors[category * d + j] * _categoryScale[category] + 0.5 * random.NextNormal()) / norm;
                double moved = rho * previous[u * d + j] + innovation * fresh;
                next[u * d + j] = (float)moved;
                before += previous[u * d + j] * previous[u * d + j];
                after += moved * moved;
            }
            // Popular categories are shared by many tastes, so a fresh interest is not independent of the old taste:
            // keep the user's taste strength as it was (a user does not grow pickier by changing interests).
            float scale = (float)Math.Sqrt(before / Math.Max(after, 1e-12));
            for (int j = 0; j < d; j++) next[u * d + j] *= scale;
        }
        return next;
    }
}
