namespace KEEP.MLNet.Data.Simulation;

/// <summary>
/// The hidden truth of a simulated site: the catalogue (item → shop, category), long-tailed item
/// popularity and user activity, and the preference factors that decide clicks, carts and purchases.
/// Ids are 1-based; index 0 of every array is unused so that an id indexes directly.
/// </summary>
public sealed class World
{
    /// <summary>Builds the world for <paramref name="options"/>; deterministic in <see cref="WorldOptions.Seed"/>.</summary>
    public World(WorldOptions options)
    {
        options.Validate();
        Options = options;
        int d = options.LatentDim;
        var random = new SeededRandom(options.Seed, stream: 1);

        CategoryFactors = Gaussian(random, options.Categories + 1, d, 1.0);
        var categoryPopularity = new double[options.Categories + 1];
        for (int k = 1; k <= options.Categories; k++) categoryPopularity[k] = random.NextLogNormal(0, 1);
        var categorySampler = new AliasSampler(categoryPopularity);

        var shopMainCategory = new int[options.Shops + 1];
        var shopSize = new double[options.Shops + 1];
        for (int s = 1; s <= options.Shops; s++)
        {
            shopMainCategory[s] = categorySampler.Sample(random);
            shopSize[s] = random.NextLogNormal(0, 1.2);
        }
        var shopFactors = Gaussian(random, options.Shops + 1, d, 0.5);
        var shopSampler = new AliasSampler(shopSize);

        ItemShop = new int[options.Items + 1];
        ItemCategory = new int[options.Items + 1];
        ItemFactors = new float[(options.Items + 1) * d];
        ItemQuality = new float[options.Items + 1];
        ItemPrice = new float[options.Items + 1];
        double itemScale = 1 / Math.Sqrt(1 + 0.25 + 0.36);
        for (int i = 1; i <= options.Items; i++)
        {
            int shop = shopSampler.Sample(random);
            int category = random.Bernoulli(0.8) ? shopMainCategory[shop] : categorySampler.Sample(random);
            ItemShop[i] = shop;
            ItemCategory[i] = category;
            for (int j = 0; j < d; j++)
                ItemFactors[i * d + j] = (float)((CategoryFactors[category * d + j] + shopFactors[shop * d + j] + 0.6 * random.NextNormal()) * itemScale);
            ItemQuality[i] = (float)(0.4 * random.NextNormal());
            ItemPrice[i] = (float)random.NextNormal();
        }
        ItemPopularity = ZipfWeights(random, options.Items, options.ItemZipfExponent);

        // The sub-domain (say, one ad slot) shows a different mix: some categories are promoted, some absent.
        var categoryShift = new double[options.Categories + 1];
        for (int k = 1; k <= options.Categories; k++) categoryShift[k] = random.NextNormal();
        SubDomainCategoryBias = new float[options.Categories + 1];
        for (int k = 1; k <= options.Categories; k++) SubDomainCategoryBias[k] = (float)(0.3 * random.NextNormal());
        SubDomainPopularity = new double[options.Items + 1];
        for (int i = 1; i <= options.Items; i++)
            SubDomainPopularity[i] = Math.Pow(ItemPopularity[i], 0.8) * Math.Exp(categoryShift[ItemCategory[i]]);

        UserFactors = new float[(options.Users + 1) * d];
        UserPurchaseFactors = new float[(options.Users + 1) * d];
        UserBias = new float[options.Users + 1];
        UserPriceSensitivity = new float[options.Users + 1];
        UserPurchasePropensity = new float[options.Users + 1];
        UserActivity = new double[options.Users + 1];
        UserSubActivity = new double[options.Users + 1];
        var mix = new double[d];
        double sigma = options.ActivitySigma;
        double subDomainUserShare = options.HasSubsystems ? options.Subsystems!.Single(x => x.IsSubDomain).UserShare : options.SubDomainUserShare;
        for (int u = 1; u <= options.Users; u++)
        {
            // A user's taste is a blend of a few categories plus an idiosyncratic part.
            Array.Clear(mix);
            int interests = 1 + random.NextPoisson(1.5);
            for (int m = 0; m < interests; m++)
            {
                int category = categorySampler.Sample(random);
                double weight = random.NextLogNormal(0, 0.5);
                for (int j = 0; j < d; j++) mix[j] += weight * CategoryFactors[category * d + j];
            }
            double norm = Math.Sqrt(mix.Sum(x => x * x) / d) + 1e-9;
            for (int j = 0; j < d; j++)
            {
                double taste = 0.85 * mix[j] / norm + 0.5 * random.NextNormal();
                UserFactors[u * d + j] = (float)(taste / Math.Sqrt(0.85 * 0.85 + 0.25));
                UserPurchaseFactors[u * d + j] = (float)(0.8 * UserFactors[u * d + j] + 0.6 * random.NextNormal());
            }
            UserBias[u] = (float)(0.35 * random.NextNormal());
            UserPriceSensitivity[u] = (float)random.NextNormal();
            UserPurchasePropensity[u] = (float)(0.5 * random.NextNormal());
            UserActivity[u] = random.NextLogNormal(-sigma * sigma / 2, sigma);
            UserSubActivity[u] = random.Bernoulli(subDomainUserShare)
                ? Math.Sqrt(UserActivity[u]) * random.NextLogNormal(-0.32, 0.8)
                : 0;
        }
        CategoryPopularity = categoryPopularity;
        // The subsystems' own truth comes from a stream of its own, so the shared parts above are the same
        // whether or not the site has subsystems.
        Subsystems = options.HasSubsystems ? SubsystemTruth.Build(this, new SeededRandom(options.Seed, stream: 6)) : [];
    }

    /// <summary>Popularity weight of each category (what new interests are drawn from).</summary>
    public double[] CategoryPopularity { get; }
    /// <summary>The subsystems' catalogues, audiences and effects, in <see cref="WorldOptions.Subsystems"/> order (empty under the shared click model).</summary>
    public IReadOnlyList<SubsystemTruth> Subsystems { get; }

    /// <summary>The options the world was built from.</summary>
    public WorldOptions Options { get; }
    /// <summary>Shop of each item.</summary>
    public int[] ItemShop { get; }
    /// <summary>Category of each item.</summary>
    public int[] ItemCategory { get; }
    /// <summary>Item preference factors, <c>[item * LatentDim + j]</c>.</summary>
    public float[] ItemFactors { get; }
    /// <summary>Item quality: shifts click and cart odds for everybody.</summary>
    public float[] ItemQuality { get; }
    /// <summary>Standardised item price: price-sensitive users convert less on expensive items.</summary>
    public float[] ItemPrice { get; }
    /// <summary>Zipf popularity weight of each item on the whole site.</summary>
    public double[] ItemPopularity { get; }
    /// <summary>Popularity weight of each item in the sub-domain (shifted category mix).</summary>
    public double[] SubDomainPopularity { get; }
    /// <summary>Per-category click bias of the sub-domain.</summary>
    public float[] SubDomainCategoryBias { get; }
    /// <summary>Category factors, <c>[category * LatentDim + j]</c>.</summary>
    public double[] CategoryFactors { get; }
    /// <summary>User taste factors, <c>[user * LatentDim + j]</c>.</summary>
    public float[] UserFactors { get; }
    /// <summary>User purchase-taste factors (correlated with taste) used by cart and conversion.</summary>
    public float[] UserPurchaseFactors { get; }
    /// <summary>User click bias (some users click more).</summary>
    public float[] UserBias { get; }
    /// <summary>User price sensitivity.</summary>
    public float[] UserPriceSensitivity { get; }
    /// <summary>User purchase propensity.</summary>
    public float[] UserPurchasePropensity { get; }
    /// <summary>Relative site-wide activity (log-normal, mean 1).</summary>
    public double[] UserActivity { get; }
    /// <summary>Relative sub-domain activity; 0 for users who never visit it.</summary>
    public double[] UserSubActivity { get; }

    private static double[] Gaussian(SeededRandom random, int rows, int d, double scale)
    {
        var values = new double[rows * d];
        for (int i = d; i < values.Length; i++) values[i] = scale * random.NextNormal();
        return values;
    }

    private static double[] ZipfWeights(SeededRandom random, int count, double exponent)
    {
        var rank = new int[count];
        for (int i = 0; i < count; i++) rank[i] = i + 1;
        random.Shuffle(rank.AsSpan());
        var weights = new double[count + 1];
        for (int i = 1; i <= count; i++) weights[i] = Math.Pow(rank[i - 1], -exponent);
        return weights;
    }
}
