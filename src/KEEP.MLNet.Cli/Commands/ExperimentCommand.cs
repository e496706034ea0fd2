using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using Microsoft.ML;
using KEEP.MLNet.Experiments;
using Spectre.Console;

using KEEP.MLNet.Cli.Rendering;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep experiment</c>: experiments; <c>keep experiment paper</c> mirrors the paper's tables.</summary>
internal static class ExperimentCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "Training impressions (a file, or a folder with sub_train.parquet); the last day is held out for validation." };
        var label = new Option<PretrainingTask>("--label") { Description = "What to predict: Click, Conversion or Cart.", DefaultValueFactory = _ => PretrainingTask.Click };
        var time = new Option<string>("--time") { Description = "Time budget, e.g. 90s, 5m, 1h.", DefaultValueFactory = _ => "5m" };
        var knowledge = new Option<FileInfo?>("--knowledge", "-k") { Description = "A knowledge model from 'keep pretrain': every trainer is also tried with it plugged in." };
        var rok = new Option<FileInfo?>("--rok") { Description = "A ROK knowledge base from 'keep rok': every trainer is also tried with it (alone, and beside --knowledge)." };
        var rokKinds = new Option<RokKnowledgeKinds>("--rok-kinds") { Description = "Which ROK knowledge: Instance, Fields or Both.", DefaultValueFactory = _ => RokKnowledgeKinds.Fields };
        var trainers = new Option<string>("--trainers") { Description = "Trainers to try, in order.", DefaultValueFactory = _ => "fasttree,keep-dnn,lightgbm,sdca" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for the best model (model.zip), the leaderboard and the generated consumption project.", DefaultValueFactory = _ => new DirectoryInfo("keep-experiment") };
        var keepReference = new Option<FileInfo?>("--keep-reference") { Description = "Make the generated project reference this KEEP.MLNet.csproj (a source checkout) instead of the KEEP.MLNet package." };
        var outputArgs = new OutputArguments();
        var command = new Command("experiment", "Model Builder-style search: try downstream trainers with and without KEEP (and ROK) knowledge and a few settings each within a time budget, rank them by GAUC on the last training day, save the best model and generate a console project that consumes it.\n\nExamples:\n  keep experiment --data keep-demo/data --knowledge keep-demo/models/knowledge.zip --label Click --time 5m\n  keep experiment --data keep-demo/data --knowledge knowledge.zip --rok rok.keep --trainers fasttree,keep-dnn --time 10m\n  keep experiment paper --preset small --seeds 1,2,3 --out paper-small");
        foreach (var option in new Option[] { data, label, time, knowledge, rok, rokKinds, trainers, output, keepReference }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.Subcommands.Add(Paper(console));
        command.Subcommands.Add(OnlineExperimentCommand.Create(console));
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var dataInfo = result.GetValue(data) ?? throw new ArgumentException("--data: give the training impressions (or run 'keep experiment paper').");
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            string folder = WritablePath.Folder(result.GetValue(output)!.FullName, "--out");
            Directory.CreateDirectory(folder);
            using var model = result.GetValue(knowledge) is { } k ? KnowledgeModelFile.LoadCheckpoint(k.FullName) : null;
            using var rokModel = result.GetValue(rok) is { } r ? RokModel.Load(r.FullName) : null;
            var options = new KeepExperimentOptions
            {
                TrainingFile = DataArgument.Resolve(dataInfo, "sub_train.parquet"),
                Knowledge = model,
                Rok = rokModel,
                RokKinds = result.GetValue(rokKinds),
                Label = result.GetValue(label),
                Time = ParseTime(result.GetValue(time)!),
                Trainers = [.. result.GetValue(trainers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            };
            var found = ProgressDisplay.Spin(console, quiet, "Searching", () => new KeepExperiment(options, new SynchronousProgress<ExperimentCandidate>(c =>
            {
                if (!quiet) console.MarkupLineInterpolated($"  {c.Trainer}{(c.Knowledge == "none" ? "" : " + " + c.Knowledge)} ({c.Settings}): GAUC {c.Gauc:F4}, AUC {c.Auc:F4}, {c.Seconds:F0} s");
            })).Run());
            string zip = Path.Combine(folder, "model.zip");
            var view = ImpressionFile.Load(options.TrainingFile, model?.Options.HistoryLength ?? rokModel?.Options.HistoryLength ?? 50);
            if (found.BestModel is KeepDnnTransformer dnn) KeepDnnModelFile.Save(new MLContext(1), dnn, found.InputSchema, zip);
            else new MLContext(1).Model.Save(found.BestModel, found.InputSchema, zip);
            (found.BestModel as IDisposable)?.Dispose();
            var example = ImpressionInput.From(ImpressionFile.Read(options.TrainingFile).First(), 0);
            string project = ConsumptionProject.Write(Path.Combine(folder, "consumption"), zip, options.Label.ToString(), example, result.GetValue(keepReference)?.FullName);
            File.WriteAllText(Path.Combine(folder, "leaderboard.json"), JsonSerializer.Serialize(found.Leaderboard, CliJson.Options));
            if (json)
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { leaderboard = found.Leaderboard, model = zip, project, validationDay = found.ValidationDay }, CliJson.Options));
                return KeepCli.Ok;
            }
            var table = new Table().Title($"Leaderboard (GAUC on day {found.ValidationDay})").AddColumns("#", "trainer", "knowledge", "settings", "GAUC", "AUC", "train s");
            foreach (var (c, i) in found.Leaderboard.Select((c, i) => (c, i + 1)))
                table.AddRow($"{i}", c.Trainer, c.Knowledge, Markup.Escape(c.Settings), $"{c.Gauc:F4}", $"{c.Auc:F4}", $"{c.Seconds:F0}");
            console.Write(table);
            console.MarkupLineInterpolated($"Best model: [bold]{zip}[/]. Consume it: dotnet run --project {project}");
            return KeepCli.Ok;
        }));
        return command;
    }

    /// <summary>"90s", "5m", "1h" or a TimeSpan ("00:05:00").</summary>
    internal static TimeSpan ParseTime(string text)
    {
        text = text.Trim();
        if (text.Length > 1 && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && value >= 0)
        {
            switch (char.ToLowerInvariant(text[^1]))
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
            }
        }
        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span : throw new ArgumentException($"--time: '{text}' is not a duration; use e.g. 90s, 5m or 1h.");
    }

    private static Command Paper(IAnsiConsole console)
    {
        var preset = new Option<string>("--preset") { Description = $"World preset: {string.Join(", ", WorldOptions.PresetNames)} (tiny..large: the paper's site with subsystems; shared-click*: one click model for the whole site).", DefaultValueFactory = _ => "default" };
        preset.AcceptOnlyFromAmong([.. WorldOptions.PresetNames]);
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds, one world each.", DefaultValueFactory = _ => "1,2,3" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for worlds, checkpoints, results.json and results.md (reused when run again).", DefaultValueFactory = _ => new DirectoryInfo("keep-paper") };
        var trainingRuns = new Option<string>("--training-runs") { Description = "Training runs per world (comma-separated): 0 trains with the world's seed, t > 0 retrains Tables 2-5 on the same world with seed world + 1000·t, so the report separates the trainings' variance from the worlds'.", DefaultValueFactory = _ => "0" };
        var tables = new Option<string>("--tables") { Description = "Paper tables to run: 2 (models, the competitors included; with Table 7's sparsity buckets), 3 (knowledge kinds), 4 (pre-training tasks), 5 (conversion and add-to-cart models), 6 (amount of pre-training data), 8 (compressed knowledge), 9 (ROK). Results of other tables already in --out are kept.", DefaultValueFactory = _ => "2,3,4,5,6,8,9" };
        var recentDays = new Option<string>("--recent-days") { Description = "Table 6: also pre-train on only the most recent this many super-domain days (comma-separated; 0 is the untrained-knowledge control; the full pre-training is always included). Default: 0, 1 and a third of the world's pre-training days (0,1,2 on the default preset, 0,1,4 on shared-click)." };
        var testTraffic = new Option<double>("--test-traffic") { Description = "The sub-domain's traffic sampled on the test days, as a multiple of a training day's (the training files do not change): 3 gives one world of the default preset a paired KEEP − Base standard error ≤ 0.0025; 1 samples the test days like the others.", DefaultValueFactory = _ => 3 };
        var noTrees = new Option<bool>("--no-trees") { Description = "Skip FastTree and LightGbm." };
        var noMerging = new Option<bool>("--no-merging") { Description = "Skip the sample-merging baseline." };
        var noCompetitors = new Option<bool>("--no-competitors") { Description = "Skip the paper's competitor families in Table 2 (shared-bottom cross-domain, pre-train then fine-tune, KEEP-C)." };
        var outputArgs = new OutputArguments();
        var command = new Command("paper", "The paper's Tables 2, 3, 4, 5, 6, 7 and 8 and ROK's table (9) on simulated worlds: Base vs KEEP DNN, sample merging, shared-bottom cross-domain, pre-train then fine-tune, KEEP-C, FastTree/LightGbm ± knowledge, knowledge kinds, pre-training tasks, CVR and add-to-cart models, amount of pre-training data, gain by user sparsity, compressed knowledge for serving, ROK vs its retrieval teacher. Tables 2 and 3 take about 13 minutes per seed on the default world (the paper's site; 2 cores), each further table adds its own pre-trainings or trainings; worlds and checkpoints in --out are reused.\n\nExample:\n  keep experiment paper --preset default --seeds 1,2,3 --out keep-paper");
        foreach (var option in new Option[] { preset, seeds, trainingRuns, output, tables, recentDays, testTraffic, noTrees, noMerging, noCompetitors }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var seedList = ParseNumbers("--seeds", result.GetValue(seeds)!);
            var tableList = ParseNumbers("--tables", result.GetValue(tables)!);
            if (tableList.Except([2, 3, 4, 5, 6, 8, 9]).FirstOrDefault() is int unknown and not 0) throw new ArgumentException($"--tables: there is no Table {unknown} to run; use 2, 3, 4, 5, 6, 8 or 9.");
            var runs = ParseNumbers("--training-runs", result.GetValue(trainingRuns)!);
            if (runs.Any(r => r < 0) || runs.Distinct().Count() != runs.Count) throw new ArgumentException("--training-runs: give distinct run numbers ≥ 0, e.g. 0,1.");
            var options = new PaperExperimentOptions
            {
                Preset = result.GetValue(preset)!,
                Seeds = seedList,
                OutputDirectory = WritablePath.Folder(result.GetValue(output)!.FullName, "--out"),
                Tables = tableList.ToHashSet(),
                PretrainingDays = result.GetValue(recentDays) is { } days ? ParseNumbers("--recent-days", days) : null,
                TestTrafficScale = result.GetValue(testTraffic),
                TreeTrainers = !result.GetValue(noTrees),
                SampleMerging = !result.GetValue(noMerging),
                Competitors = !result.GetValue(noCompetitors),
                TrainingRuns = runs,
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

    internal static List<int> ParseNumbers(string option, string text)
    {
        var numbers = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            numbers.Add(int.TryParse(part, out int number) ? number : throw new ArgumentException($"{option}: '{part}' is not an integer."));
        return numbers.Count > 0 ? numbers : throw new ArgumentException($"{option}: give at least one number.");
    }
}
