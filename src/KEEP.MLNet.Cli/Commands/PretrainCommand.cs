using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep pretrain</c>: knowledge extraction (paper stage 1) on super-domain rows.</summary>
internal static class PretrainCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "A folder from 'keep generate'/'keep import' (its super.parquet is used) or an impression file (.parquet/.csv).", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Knowledge model to write: an ML.NET zip that also carries the KEEP checkpoint.", Required = true };
        var from = new Option<FileInfo?>("--continue-from") { Description = "Continue training this knowledge model on the new data (daily incremental pre-training)." };
        var fresh = new Option<bool>("--fresh-optimizer") { Description = "With --continue-from: start a fresh Adam instead of continuing the optimizer state the model file saved (runs on several MPI ranks always start a fresh one)." };
        var tasks = new Option<string>("--tasks") { Description = "Pre-training tasks, in K_ui order.", DefaultValueFactory = _ => "click,conversion,cart" };
        var batch = new Option<int>("--batch-size") { Description = "Rows per step (paper: 2000).", DefaultValueFactory = _ => 2000 };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the pairwise loss (paper: 0.25).", DefaultValueFactory = _ => 0.25 };
        var history = new Option<int>("--history-length") { Description = "Behaviours per row (paper setting: 50).", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and shuffling.", DefaultValueFactory = _ => 42 };
        var every = new Option<long>("--checkpoint-every") { Description = "Rows between resume checkpoints (written atomically to OUT.resume); 0 writes none.", DefaultValueFactory = _ => 200_000 };
        var resume = new Option<bool>("--resume") { Description = "Continue a run that was killed, from OUT.resume (same --data; the result equals an uninterrupted run)." };
        var lastDays = new Option<int>("--last-days") { Description = "Pre-train on only the most recent this many days of the data (the paper's 1 month / 6 months / 2 years, Table 6); 0 uses every day. Give the same value with --resume.", DefaultValueFactory = _ => 0 };
        var updates = new Option<string>("--embedding-updates") { Description = "How embedding tables are updated: 'rowwise' (lazy Adam: only the rows a step uses, so a step's cost does not grow with the number of users and items) or 'dense' (Adam over every row, every step).", DefaultValueFactory = _ => "rowwise" };
        var output2 = new OutputArguments();
        var command = new Command("pretrain", "Pre-train KEEP's multi-task knowledge model (click, conversion, add-to-cart) on super-domain rows.\n\nExamples:\n  keep pretrain --data keep-demo/data --out knowledge.zip\n  keep pretrain --data day15.parquet --continue-from knowledge.zip --out knowledge-day15.zip\n  keep pretrain --data keep-demo/data --out knowledge-recent.zip --last-days 4\n  keep pretrain --data keep-demo/data --out knowledge.zip --resume   (after a crash or kill)");
        foreach (var option in new Option[] { data, output, from, fresh, tasks, batch, alpha, history, seed, every, resume, lastDays, updates }) command.Options.Add(option);
        output2.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            string file = DataArgument.Resolve(result.GetValue(data)!, "super.parquet");
            var options = new PretrainingOptions
            {
                Tasks = ParseTasks(result.GetValue(tasks)!),
                BatchSize = result.GetValue(batch),
                PairwiseWeight = result.GetValue(alpha),
                HistoryLength = result.GetValue(history),
                Seed = result.GetValue(seed),
                EmbeddingUpdates = result.GetValue(updates) switch
                {
                    "rowwise" => Training.EmbeddingUpdates.RowwiseAdam,
                    "dense" => Training.EmbeddingUpdates.DenseAdam,
                    var other => throw new ArgumentException($"--embedding-updates: '{other}' is neither 'rowwise' nor 'dense'."),
                },
            };
            var ranks = KeepCli.JobRanks;
            // Ranks of one machine share its cores.
            if (ranks != null) options = options with { Threads = Math.Max(1, Environment.ProcessorCount / Mpi.MpiCommunicator.LocalRanks) };
            options.Validate();
            bool lead = ranks == null || ranks.Rank == 0; // the rank that reports and writes
            bool quiet = result.GetValue(output2.Quiet) || result.GetValue(output2.Json) || !lead;
            string path = WritablePath.File(result.GetValue(output)!.FullName, "--out");
            var checkpoints = new Checkpoints(path + ".resume", result.GetValue(every), result.GetValue(resume));
            if (result.GetValue(fresh) && result.GetValue(from) == null) throw new ArgumentException("--fresh-optimizer applies to a continued model: give --continue-from.");
            if (checkpoints.Resume && result.GetValue(from) != null) throw new ArgumentException("--resume and --continue-from cannot be combined: a resume checkpoint already holds the model being trained.");
            if (checkpoints.Resume && !File.Exists(checkpoints.Path)) throw new ArgumentException($"--resume: there is no resume checkpoint at {checkpoints.Path}; start the run without --resume.");
            if (checkpoints.EveryRows < 0) throw new ArgumentException($"--checkpoint-every: {checkpoints.EveryRows} is negative.");
            int days = result.GetValue(lastDays);
            if (days < 0) throw new ArgumentException($"--last-days: {days} is negative; give a number of days, or 0 for every day.");
            (int FirstDay, long Rows)? window = days == 0 ? null : ProgressDisplay.Spin(console, quiet, $"Finding the last {days} days", () => RecentDays.Window(ImpressionFile.Read(file), days));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = Run(console, quiet, file, options, result.GetValue(from)?.FullName, checkpoints, window, ranks, result.GetValue(fresh));
            double seconds = clock.Elapsed.TotalSeconds;
            using (model)
            {
                var (peaks, traffic) = RankFigures(ranks);
                if (!lead) return KeepCli.Ok;
                Save(model, file, path);
                File.Delete(checkpoints.Path); // the finished model supersedes it
                var summary = new
                {
                    model = path,
                    ranks = ranks?.Size ?? 1,
                    seconds = Math.Round(seconds, 2),
                    peakMemoryBytes = peaks,
                    communication = traffic,
                    rows = model.History.Rows,
                    steps = model.History.Steps,
                    firstDay = window?.FirstDay,
                    lastDay = model.History.LastDay,
                    tasks = model.Options.Tasks.Select(t => t.ToString()).ToArray(),
                    finalLosses = model.History.Losses.Count > 0 ? model.History.Losses[^1].TaskLosses : [],
                };
                if (result.GetValue(output2.Json)) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
                else console.MarkupLineInterpolated($"Knowledge model written to [bold]{path}[/]{(summary.ranks > 1 ? $" by {summary.ranks} ranks" : "")}: {summary.rows:N0} rows, {summary.steps:N0} steps, {(window is { } w ? $"days {w.FirstDay}..{summary.lastDay}" : $"last day {summary.lastDay}")}, final losses {string.Join(" / ", summary.finalLosses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))} ({string.Join(" / ", summary.tasks)}).");
            }
            return KeepCli.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Every rank's peak resident memory and, under MPI, what it sent by kind of collective, its collective calls and their
    /// time (<see cref="Mpi.MpiTraffic"/>; a collective call: every rank of the job calls it); one entry in a single process.
    /// </summary>
    private static (long[] Peaks, object[]? Traffic) RankFigures(Training.Distributed.ICommunicator? ranks)
    {
        long peak = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
        if (ranks == null) return ([peak], null);
        var peaks = ranks.AllGather(new[] { peak }, out _);
        var mine = ranks is Mpi.MpiCommunicator mpi ? mpi.Traffic : new Mpi.MpiTraffic(0, 0, 0, 0, 0);
        var all = ranks.AllGather(new[] { mine.AllToAllBytes, mine.GatherBytes, mine.SumPayloadBytes, mine.Collectives, (long)Math.Round(mine.Seconds * 1000) }, out _);
        return (peaks, [.. Enumerable.Range(0, ranks.Size).Select(r => (object)new
        {
            allToAllBytes = all[5 * r], gatherBytes = all[5 * r + 1], sumPayloadBytes = all[5 * r + 2], collectives = all[5 * r + 3], collectiveSeconds = all[5 * r + 4] / 1000.0,
        })]);
    }

    /// <summary>
    /// Pre-trains (or continues) under a progress bar showing rows/s, ETA and the task losses; with a
    /// <paramref name="window"/> (see <see cref="RecentDays.Window"/>), on the rows of its first day and later only.
    /// </summary>
    public static PretrainedModel Run(IAnsiConsole console, bool quiet, string file, PretrainingOptions options, string? continueFrom, Checkpoints? checkpoints = null,
        (int FirstDay, long Rows)? window = null, Training.Distributed.ICommunicator? ranks = null, bool freshOptimizer = false)
    {
        Func<IEnumerable<ImpressionBatch>> data = window is { } w ? () => RecentDays.From(ImpressionFile.Read(file), w.FirstDay) : () => ImpressionFile.Read(file);
        long rows = window?.Rows ?? ImpressionFile.Load(file).GetRowCount() ?? 0;
        string status = "";
        return ProgressDisplay.Run(console, quiet, "Pre-training", report =>
        {
            var progress = new SynchronousProgress<PretrainingProgress>(p =>
            {
                status = "loss " + string.Join(" ", p.TaskLosses.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)));
                report(p.Rows, p.TotalRows);
            });
            var trainer = new KeepPretrainer(options)
            {
                CheckpointPath = checkpoints is { EveryRows: > 0 } c ? c.Path : null,
                CheckpointEveryRows = checkpoints is { EveryRows: > 0 } d ? d.EveryRows : 1,
                Communicator = ranks,
            };
            if (checkpoints is { Resume: true })
                return trainer.Resume(checkpoints.Path, data, rows, progress);
            if (continueFrom == null) return trainer.Fit(data, progress);
            var previous = KnowledgeModelFile.LoadCheckpoint(continueFrom);
            return KeepPretrainer.Continue(freshOptimizer ? previous.WithFreshOptimizer() : previous, data(), ranks, rows, progress);
        }, () => status);
    }

    /// <summary>Resume checkpoints of a run: where, how often, and whether to continue from one.</summary>
    public sealed record Checkpoints(string Path, long EveryRows, bool Resume);

    /// <summary>Saves the knowledge model file for inputs with fixed-length histories.</summary>
    public static void Save(PretrainedModel model, string dataFile, string path)
    {
        var ml = new MLContext(model.Options.Seed);
        var view = ImpressionFile.Load(dataFile, model.Options.HistoryLength);
        using var transformer = ml.Transforms.KeepKnowledge(model).Fit(view);
        KnowledgeModelFile.Save(ml, transformer, view.Schema, path);
    }

    private static PretrainingTask[] ParseTasks(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Enum.TryParse<PretrainingTask>(t, ignoreCase: true, out var task)
            ? task : throw new ArgumentException($"--tasks: '{t}' is not a task; use click, conversion, cart.")).ToArray();
}
