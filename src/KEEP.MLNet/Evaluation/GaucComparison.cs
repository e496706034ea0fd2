namespace KEEP.MLNet.Evaluation;

/// <summary>The GAUC difference between two scorings of the same rows, with its bootstrap spread.</summary>
/// <param name="Difference">GAUC(b) − GAUC(a) on the rows as they are.</param>
/// <param name="StandardError">Standard deviation of the difference over user-level bootstrap resamples.</param>
/// <param name="Groups">Groups (users) with both classes, which both GAUCs use.</param>
public sealed record GaucComparison(double Difference, double StandardError, int Groups)
{
    /// <summary>
    /// Paired bootstrap over groups: resample the users with both classes (with replacement), recompute both
    /// impression-weighted GAUCs on the same resample, and take the spread of their difference. Per-group
    /// AUCs are computed once, so each resample costs O(groups).
    /// </summary>
    public static GaucComparison Of(ReadOnlySpan<float> scoresA, ReadOnlySpan<float> scoresB, ReadOnlySpan<bool> labels, ReadOnlySpan<int> groups, int resamples = 500, int seed = 1)
    {
        var a = GaucEvaluator.GroupAucs(scoresA, labels, groups).Where(p => !double.IsNaN(p.Auc)).ToArray();
        var b = GaucEvaluator.GroupAucs(scoresB, labels, groups).Where(p => !double.IsNaN(p.Auc)).ToArray();
        int g = a.Length;
        if (g == 0) return new GaucComparison(double.NaN, double.NaN, 0);
        double Weighted(IEnumerable<int> picks, (double Auc, int Rows)[] per)
        {
            double sum = 0, weight = 0;
            foreach (int i in picks) { sum += per[i].Auc * per[i].Rows; weight += per[i].Rows; }
            return sum / weight;
        }
        double difference = Weighted(Enumerable.Range(0, g), b) - Weighted(Enumerable.Range(0, g), a);
        var random = new Data.Simulation.SeededRandom(seed, stream: 20);
        var diffs = new double[resamples];
        var picks = new int[g];
        for (int s = 0; s < resamples; s++)
        {
            for (int i = 0; i < g; i++) picks[i] = random.NextInt(g);
            diffs[s] = Weighted(picks, b) - Weighted(picks, a);
        }
        double mean = diffs.Average();
        double std = Math.Sqrt(diffs.Sum(d => (d - mean) * (d - mean)) / Math.Max(1, resamples - 1));
        return new GaucComparison(difference, std, g);
    }
}
