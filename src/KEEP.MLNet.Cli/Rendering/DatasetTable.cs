using System.Globalization;
using KEEP.MLNet.Data.Simulation;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>The summary table of a generated world, fixed-width so it reads the same in a terminal, a pipe or a log.</summary>
internal static class DatasetTable
{
    private static readonly System.Text.CompositeFormat Row = System.Text.CompositeFormat.Parse("{0,-10}{1,10}{2,7}{3,7}{4,6}{5,9}{6,9}{7,6}{8,7}{9,7}");

    public static void Write(IAnsiConsole console, GeneratedDataset dataset)
    {
        var lines = new List<string>
        {
            Format("split", "rows", "users", "items", "CTR", "cart/clk", "conv/clk", "hist", "r/user", "sparse"),
            new('-', 78),
        };
        foreach (var s in dataset.Summaries)
            lines.Add(Format(s.Name, N(s.Rows), N(s.Users), N(s.Items), P(s.ClickRate), P(s.CartsPerClick), P(s.ConversionsPerClick),
                s.MeanHistoryLength.ToString("F1", CultureInfo.InvariantCulture), N(s.MedianImpressionsPerUser), P(s.SparseUserShare)));
        console.MarkupLine("[bold]Simulated world[/]");
        foreach (string line in lines) console.WriteLine(line);
        console.WriteLine($"hist = mean behaviour-sequence length; r/user = median rows per user; sparse = users with <= {dataset.Summaries[0].SparseUserThreshold} rows.");
        console.WriteLine($"Sub-domain training users also in the super-domain: {P(dataset.SubUsersSeenInSuper)}; the sparse ones have a median of {dataset.MedianSuperImpressionsOfSparseSubUsers} super-domain rows.");
        console.WriteLine($"Generated {N(dataset.Summaries.Sum(s => s.Rows))} rows in {dataset.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s ({N((long)dataset.RowsPerSecond)} rows/s) into {dataset.Directory}");
    }

    private static string Format(params object[] cells) => string.Format(CultureInfo.InvariantCulture, Row, cells);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double value) => (value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
