using System.Globalization;
using KEEP.MLNet.Data.Simulation;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>The summary table of a generated world.</summary>
internal static class DatasetTable
{
    public static void Write(IAnsiConsole console, GeneratedDataset dataset)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Simulated world[/]");
        foreach (string header in new[] { "split", "rows", "users", "items", "CTR", "cart/clk", "conv/clk", "history", "rows/user", "sparse" })
            table.AddColumn(new TableColumn(header).RightAligned());
        foreach (var s in dataset.Summaries)
        {
            table.AddRow(s.Name, N(s.Rows), N(s.Users), N(s.Items), P(s.ClickRate), P(s.CartsPerClick), P(s.ConversionsPerClick),
                s.MeanHistoryLength.ToString("F1", CultureInfo.InvariantCulture), N(s.MedianImpressionsPerUser),
                P(s.SparseUserShare));
        }
        table.Caption($"history: mean behaviour-sequence length; rows/user: median; sparse: users with ≤ {dataset.Summaries[0].SparseUserThreshold} rows");
        console.Write(table);
        console.MarkupLineInterpolated($"Sub-domain training users also seen in the super-domain: [bold]{P(dataset.SubUsersSeenInSuper)}[/]; sparse sub-domain users have a median of [bold]{dataset.MedianSuperImpressionsOfSparseSubUsers}[/] super-domain impressions.");
        console.MarkupLineInterpolated($"Generated {N(dataset.Summaries.Sum(s => s.Rows))} rows in {dataset.Elapsed.TotalSeconds:F1} s ([bold]{N((long)dataset.RowsPerSecond)} rows/s[/]) into {dataset.Directory}");
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double value) => value.ToString("P2", CultureInfo.InvariantCulture);
}
