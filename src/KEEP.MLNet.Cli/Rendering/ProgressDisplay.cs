using KEEP.MLNet.Data;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KEEP.MLNet.Cli.Rendering;

/// <summary>Runs long work under a progress bar showing rows done, rows per second and the time left.</summary>
internal static class ProgressDisplay
{
    /// <summary>
    /// Runs <paramref name="work"/>, which reports (done, total) through the callback it is given.
    /// With <paramref name="quiet"/> no bar is drawn. <paramref name="status"/>, when given, is shown after
    /// the title and re-read at every report (e.g. the current loss).
    /// </summary>
    public static T Run<T>(IAnsiConsole console, bool quiet, string title, Func<Action<long, long>, T> work, Func<string>? status = null)
    {
        if (quiet) return work((_, _) => { });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowsColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title);
                result = work((done, total) =>
                {
                    task.MaxValue = Math.Max(total, done);
                    task.Value = done;
                    if (status != null) task.Description = $"{title} {Markup.Escape(status())}";
                });
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result;
    }

    /// <summary>Runs work that cannot report its progress under a spinner (nothing with <paramref name="quiet"/>).</summary>
    public static T Spin<T>(IAnsiConsole console, bool quiet, string title, Func<T> work)
    {
        if (quiet) return work();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = console.Status().Start(Markup.Escape(title) + "…", _ => work());
        console.MarkupLineInterpolated($"{title} [grey]done in {clock.Elapsed.TotalSeconds:F1} s[/]");
        return result;
    }

    /// <summary>Forwards <see cref="RowProgress"/> to the bar synchronously (no thread hop, no reordering).</summary>
    public sealed class Reporter(Action<long, long> report) : IProgress<RowProgress>
    {
        public void Report(RowProgress value) => report(value.Done, value.Total);
    }

    private sealed class RowsColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Markup($"[grey]{task.Value:N0} rows, {task.Speed ?? 0:N0} rows/s[/]");
    }
}
