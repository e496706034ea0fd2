using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments.Online;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep experiment online</c>: daily training of the Base DNN, the plug-in added later, a from-scratch KEEP DNN and daily fine-tuning.</summary>
internal static class OnlineExperimentCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var preset = new Option<string>("--preset") { Description = "World preset with a pre-training history before the sub-domain's days: tiny, small, default or large (the paper's site).", DefaultValueFactory = _ => "default" };
        preset.AcceptOnlyFromAmong([.. WorldOptions.PresetNames]);
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds, one world each.", DefaultValueFactory = _ => "1" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for worlds, the pre-trained checkpoint, online.json, online.md and online-gauc.png (a paper experiment's folder: its worlds and checkpoints are reused).", DefaultValueFactory = _ => new DirectoryInfo("keep-online") };
        var knowledgeDay = new Option<int>("--knowledge-day") { Description = "The sub-domain day (0 = its first) from which knowledge is used: the plug-in joins the running Base DNN there and the from-scratch KEEP DNN is trained there.", DefaultValueFactory = _ => 1 };
        var skewVersions = new Option<int>("--skew-versions") { Description = "Newer knowledge versions (one more super-domain day of pre-training each) to serve a model trained against version v with, to measure version skew; 0 skips that part.", DefaultValueFactory = _ => 4 };
        var skipDaily = new Option<bool>("--skip-daily") { Description = "Run only the version-skew part." };
        var outputArgs = new OutputArguments();
        var command = new Command("online", "The paper's online argument, measured: day by day on the sub-domain, (a) the Base DNN continued daily, (b) the KEEP plug-in added to the running Base DNN at the knowledge day (warm start, plug-in at zero), (c) a KEEP DNN trained from scratch at the knowledge day on every day so far (what an architecture change forces), (d) the pre-trained network fine-tuned daily, and the KEEP DNN from the first day; each tested on the next day with a paired interval against (a). Then knowledge version skew: a KEEP DNN trained against version v served with v + 1 … v + K, with those aligned to v, and after one more day of training on v + 1.\n\nExample:\n  keep experiment online --preset default --seeds 1,2,3 --out keep-online");
        foreach (var option in new Option[] { preset, seeds, output, knowledgeDay, skewVersions, skipDaily }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var options = new OnlineExperimentOptions
            {
                Preset = result.GetValue(preset)!,
                Seeds = ExperimentCommand.ParseNumbers("--seeds", result.GetValue(seeds)!),
                OutputDirectory = WritablePath.Folder(result.GetValue(output)!.FullName, "--out"),
                KnowledgeDay = result.GetValue(knowledgeDay),
                SkewVersions = result.GetValue(skewVersions),
                Daily = !result.GetValue(skipDaily),
            };
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            var clock = Stopwatch.StartNew();
            var experiment = new OnlineExperiment(options, new SynchronousProgress<string>(message => { if (!quiet) console.MarkupLineInterpolated($"[grey]{clock.Elapsed:hh\\:mm\\:ss}[/] {message}"); }));
            var results = experiment.Run();
            string? chart = results.Count == 0 ? null : Path.Combine(options.OutputDirectory, "online-gauc.png");
            if (chart != null) OnlineChart(chart, results, options.Preset);
            var skew = experiment.SkewResults;
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { results, versionSkew = skew, report = experiment.ReportPath, chart }, CliJson.Options));
            else console.MarkupLineInterpolated($"Wrote [bold]{experiment.ReportPath}[/]{(results.Count > 0 ? $", {experiment.ResultsPath}, {chart}" : "")}{(skew.Count > 0 ? $", {experiment.SkewResultsPath}" : "")} ({results.Count} daily and {skew.Count} version-skew results, {clock.Elapsed.TotalMinutes:F1} min).");
            return KeepCli.Ok;
        }));
        return command;
    }

    /// <summary>GAUC per test day, one line per daily model (means over seeds).</summary>
    internal static void OnlineChart(string path, IReadOnlyList<OnlineResult> results, string preset)
    {
        var days = results.Select(r => r.TestDay).Distinct().Order().ToList();
        var series = OnlineReport.Variants
            .Where(v => results.Any(r => r.Variant == v))
            .Select(v => (v, (IReadOnlyList<double>)[.. days.Select(d => results.Where(r => r.Variant == v && r.TestDay == d).Select(r => r.Gauc).DefaultIfEmpty(double.NaN).Average())]))
            .ToList();
        ReportCharts.Lines(path, $"GAUC on the next day, daily training ({preset} world; test days {days[0]}–{days[^1]})", "test day", "GAUC", series, days);
    }
}
