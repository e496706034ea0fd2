using KEEP.MLNet.Pretraining;
using ScottPlot;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>The report's PNG charts (ScottPlot): GAUC per model, gain by user sparsity, training loss curves.</summary>
internal static class ReportCharts
{
    public const int Width = 800, Height = 450;

    /// <summary>One bar per model, grouped as given (e.g. Base and KEEP side by side per trainer).</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<(string Label, double Value)> bars, double? floor = null)
    {
        var plot = new Plot();
        var values = bars.Select(b => b.Value).ToArray();
        var barPlot = plot.Add.Bars(values);
        for (int i = 0; i < barPlot.Bars.Count; i++)
        {
            barPlot.Bars[i].Label = values[i].ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
            barPlot.Bars[i].FillColor = bars[i].Label.Contains("KEEP", StringComparison.Ordinal) ? Colors.DarkOrange : Colors.SteelBlue;
        }
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, bars.Count).Select(i => (double)i)], [.. bars.Select(b => b.Label)]);
        // Room above (and below, for negative bars) so that every value label stays inside the chart.
        double low = Math.Min(floor ?? Math.Max(0, values.Min() - 0.05), values.Min());
        double span = Math.Max(values.Max() - low, 1e-3);
        plot.Axes.SetLimitsY(low - (values.Min() < 0 ? 0.1 * span : 0), Math.Max(values.Max(), 0) + 0.12 * span);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Pre-training loss of every task (pointwise + α · pairwise), one line per task, over the logged points.</summary>
    public static void PretrainingLoss(string path, TrainingHistory history, IReadOnlyList<PretrainingTask> tasks)
    {
        var series = tasks.Select((task, t) => (task.ToString(), (IReadOnlyList<double>)[.. history.Losses.Select(p => p.TaskLosses[t])])).ToList();
        Lines(path, $"Pre-training loss per task ({history.Rows:N0} super-domain rows)", "logged point", "loss", series);
    }

    /// <summary>One line per series over training steps (or over <paramref name="xs"/>, ticked at each value, when given).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<double> Values)> series,
        IReadOnlyList<int>? xs = null)
    {
        var plot = new Plot();
        foreach (var (label, values) in series)
        {
            var line = plot.Add.Scatter(xs?.Select(x => (double)x).ToArray() ?? Enumerable.Range(1, values.Count).Select(i => (double)i).ToArray(), values.ToArray());
            line.LegendText = label;
            line.MarkerSize = xs == null ? 0 : 6;
        }
        if (xs != null) plot.Axes.Bottom.SetTicks([.. xs.Select(x => (double)x)], [.. xs.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.ShowLegend();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.SavePng(path, Width, Height);
    }
}
