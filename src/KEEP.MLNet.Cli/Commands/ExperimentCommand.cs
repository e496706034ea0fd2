using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;
using Spectre.Console;

using KEEP.MLNet.Cli.Rendering;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep experiment</c>: experiments; <c>keep experiment paper</c> mirrors the paper's tables.</summary>
internal static class ExperimentCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("experiment", "Run experiments.\n\nExample:\n  keep experiment paper --preset small --seeds 1,2,3 --out paper-small");
        command.Subcommands.Add(Paper(console));
        return command;
    }

    private static Command Paper(IAnsiConsole console)
    {
        var preset = new Option<string>("--preset") { Description = $"World size: {string.Join(", ", WorldOptions.PresetNames)}.", DefaultValueFactory = _ => "default" };
        preset.AcceptOnlyFromAmong([.. WorldOptions.PresetNames]);
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds, one world each.", DefaultValueFactory = _ => "1,2,3" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for worlds, checkpoints, results.json and results.md (reused when run again).", DefaultValueFactory = _ => new DirectoryInfo("keep-paper") };
        var tables = new Option<string>("--tables") { Description = "Paper tables to run: 2 (models; with Table 7's sparsity buckets), 3 (knowledge kinds), 4 (pre-training tasks), 8 (compressed knowledge). Results of other tables already in --out are kept.", DefaultValueFactory = _ => "2,3,4,8" };
        var noTrees = new Option<bool>("--no-trees") { Description = "Skip FastTree and LightGbm." };
        var noMerging = new Option<bool>("--no-merging") { Description = "Skip the sample-merging baseline." };
        var outputArgs = new OutputArguments();
        var command = new Command("paper", "The paper's Tables 2, 3, 4, 7 and 8 on simulated worlds: Base vs KEEP DNN, sample merging, FastTree/LightGbm ± knowledge, knowledge kinds, pre-training tasks, gain by user sparsity, compressed knowledge for serving. About 20 minutes per seed on the default world (2 cores); worlds and checkpoints in --out are reused.\n\nExample:\n  keep experiment paper --preset default --seeds 1,2,3 --out keep-paper");
        foreach (var option in new Option[] { preset, seeds, output, tables, noTrees, noMerging }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var seedList = ParseNumbers("--seeds", result.GetValue(seeds)!);
            var tableList = ParseNumbers("--tables", result.GetValue(tables)!);
            if (tableList.Except([2, 3, 4, 8]).FirstOrDefault() is int unknown and not 0) throw new ArgumentException($"--tables: there is no Table {unknown} to run; use 2, 3, 4 or 8.");
            var options = new PaperExperimentOptions
            {
                Preset = result.GetValue(preset)!,
                Seeds = seedList,
                OutputDirectory = result.GetValue(output)!.FullName,
                Tables = tableList.ToHashSet(),
                TreeTrainers = !result.GetValue(noTrees),
                SampleMerging = !result.GetValue(noMerging),
            };
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            var clock = Stopwatch.StartNew();
            var experiment = new PaperExperiment(options, new SynchronousProgress<string>(message => { if (!quiet) console.MarkupLineInterpolated($"[grey]{clock.Elapsed:hh\\:mm\\:ss}[/] {message}"); }));
            var results = experiment.Run();
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { results, report = experiment.ReportPath }, CliJson.Options));
            else console.MarkupLineInterpolated($"Wrote [bold]{experiment.ReportPath}[/] and {experiment.ResultsPath} ({results.Count} results, {clock.Elapsed.TotalMinutes:F1} min).");
            return KeepCli.Ok;
        }));
        return command;
    }

    private static List<int> ParseNumbers(string option, string text)
    {
        var numbers = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            numbers.Add(int.TryParse(part, out int number) ? number : throw new ArgumentException($"{option}: '{part}' is not an integer."));
        return numbers.Count > 0 ? numbers : throw new ArgumentException($"{option}: give at least one number.");
    }
}
