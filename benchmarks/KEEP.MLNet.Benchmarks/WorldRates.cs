using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Benchmarks;

/// <summary>`world-rates [preset]`: each split's rows, click rate and cart/conversion per click, day by day (no files written).</summary>
internal static class WorldRates
{
    public static void Run(string[] args)
    {
        var options = WorldOptions.Preset(args.Length > 0 ? args[0] : "tiny");
        var rows = new Dictionary<(DatasetSplit, int), (long N, long C, long Cart, long Conv)>();
        foreach (var b in new Simulator(new World(options)).Run())
            for (int r = 0; r < b.Batch.Count; r++)
            {
                var key = (b.Split, b.Batch.Day[r]);
                var v = rows.GetValueOrDefault(key);
                rows[key] = (v.N + 1, v.C + (b.Batch.Click[r] ? 1 : 0), v.Cart + (b.Batch.Cart[r] ? 1 : 0), v.Conv + (b.Batch.Conversion[r] ? 1 : 0));
            }
        foreach (var ((split, day), v) in rows.OrderBy(p => p.Key.Item2).ThenBy(p => p.Key.Item1))
            Console.WriteLine($"{split,-9} day {day,2}: {v.N,9:N0} rows CTR {100.0 * v.C / v.N:F2}%  cart/clk {100.0 * v.Cart / Math.Max(1, v.C):F2}%  conv/clk {100.0 * v.Conv / Math.Max(1, v.C):F2}%");
    }
}
