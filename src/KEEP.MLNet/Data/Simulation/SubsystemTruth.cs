namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// The hidden truth of one subsystem of the site: which items it can show and how popular each is there,
/// who visits it and how often, each user's own click propensity there, and how each item lands there
/// (its card, video or creative). Index 0 of every array is unused, as in <see cref="World"/>.
/// </summary>
public sealed class SubsystemTruth
{
    private SubsystemTruth(SubsystemOptions options, double[] popularity, double[] activity, float[] propensity, float[] presentation)
    {
        Options = options;
        Popularity = popularity;
        Activity = activity;
        Propensity = propensity;
        Presentation = presentation;
    }

    /// <summary>The subsystem's settings.</summary>
    public SubsystemOptions Options { get; }
    /// <summary>Candidate weight of each item in the subsystem (0: not in its catalogue).</summary>
    public double[] Popularity { get; }
    /// <summary>Each user's relative visit rate (0: never visits).</summary>
    public double[] Activity { get; }
    /// <summary>Each user's own click log-odds in the subsystem.</summary>
    public float[] Propensity { get; }
    /// <summary>Each item's click log-odds in the subsystem (presentation effect).</summary>
    public float[] Presentation { get; }

    internal static IReadOnlyList<SubsystemTruth> Build(World world, SeededRandom random)
    {
        var options = world.Options;
        var result = new List<SubsystemTruth>();
        foreach (var subsystem in options.Subsystems!)
        {
            var categoryShift = new double[options.Categories + 1];
            for (int k = 1; k <= options.Categories; k++) categoryShift[k] = subsystem.CategoryShiftSigma * random.NextNormal();
            var shopIn = new bool[options.Shops + 1];
            for (int shop = 1; shop <= options.Shops; shop++) shopIn[shop] = random.Bernoulli(subsystem.CatalogueShare);
            var popularity = new double[options.Items + 1];
            var presentation = new float[options.Items + 1];
            bool any = false;
            for (int i = 1; i <= options.Items; i++)
            {
                bool shown = subsystem.CatalogueByShop ? shopIn[world.ItemShop[i]] : random.Bernoulli(subsystem.CatalogueShare);
                presentation[i] = (float)(subsystem.PresentationSigma * random.NextNormal());
                if (!shown) continue;
                popularity[i] = Math.Pow(world.ItemPopularity[i], subsystem.PopularityExponent) * Math.Exp(categoryShift[world.ItemCategory[i]]);
                any = true;
            }
            if (!any) popularity[1 + random.NextInt(options.Items)] = 1; // a catalogue is never empty

            var activity = new double[options.Users + 1];
            var propensity = new float[options.Users + 1];
            for (int u = 1; u <= options.Users; u++)
            {
                propensity[u] = (float)(subsystem.PropensitySigma * random.NextNormal());
                // Other subsystems: the user's site activity, spread a little per subsystem; the sub-domain keeps the
                // world's own sparse, partly independent activity (World.UserSubActivity).
                double spread = random.NextLogNormal(-0.125, 0.5);
                activity[u] = subsystem.IsSubDomain ? world.UserSubActivity[u]
                    : random.Bernoulli(subsystem.UserShare) ? world.UserActivity[u] * spread : 0;
            }
            result.Add(new SubsystemTruth(subsystem, popularity, activity, propensity, presentation));
        }
        return result;
    }
}
