namespace KEEP.MLNet.Data.Simulation;

/// <summary>Draws an index with probability proportional to its weight in O(1) (Vose's alias method).</summary>
public sealed class AliasSampler
{
    private readonly double[] _probability;
    private readonly int[] _alias;

    /// <summary>Builds the tables; weights must be non-negative with a positive sum.</summary>
    public AliasSampler(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        if (n == 0) throw new ArgumentException("At least one weight is needed.", nameof(weights));
        double sum = 0;
        foreach (double w in weights)
        {
            if (w < 0 || double.IsNaN(w)) throw new ArgumentException("Weights must be non-negative.", nameof(weights));
            sum += w;
        }
        if (sum <= 0) throw new ArgumentException("Weights must not all be zero.", nameof(weights));
        _probability = new double[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = n - 1; i >= 0; i--)
        {
            scaled[i] = weights[i] * n / sum;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            _probability[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        // What is left is 1 up to rounding; a zero weight left over must still never be drawn.
        int heaviest = 0;
        for (int i = 1; i < n; i++) if (weights[i] > weights[heaviest]) heaviest = i;
        foreach (int i in large.Concat(small))
        {
            _probability[i] = weights[i] > 0 ? 1 : 0;
            _alias[i] = heaviest;
        }
    }

    /// <summary>Number of outcomes.</summary>
    public int Count => _probability.Length;

    /// <summary>Draws one index.</summary>
    public int Sample(SeededRandom random)
    {
        int i = random.NextInt(_probability.Length);
        return random.NextDouble() < _probability[i] ? i : _alias[i];
    }
}
