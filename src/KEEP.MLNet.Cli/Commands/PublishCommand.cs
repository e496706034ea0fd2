using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Serving;
using KEEP.MLNet.Serving.Compression;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep publish</c>: compresses a knowledge model for serving and publishes it as a store version.</summary>
internal static class PublishCommand
{
    private static readonly string[] DefaultServed = ["sub_train.parquet", "sub_test.parquet"];

    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "A knowledge model from 'keep pretrain'.", Required = true };
        var data = new Option<DirectoryInfo>("--data", "-d") { Description = "Folder with super.parquet (the student is distilled on it) and the rows to serve.", Required = true };
        var serve = new Option<FileInfo[]>("--serve") { Description = "Impression files whose users, items and (user, category) pairs are cached (default: sub_train.parquet and sub_test.parquet in --data).", AllowMultipleArgumentsPerToken = true };
        var store = new Option<string>("--store", "-s") { Description = "A folder (embedded file store) or redis://host:port[/prefix].", Required = true };
        var version = new Option<string>("--version", "-v") { Description = "The new version's name, e.g. 2025-01-01.", Required = true };
        var keep = new Option<int>("--keep-versions") { Description = "Versions kept in the store.", DefaultValueFactory = _ => 5 };
        var rows = new Option<int>("--student-rows") { Description = "Super-domain rows the two-tower student is distilled on.", DefaultValueFactory = _ => 300_000 };
        var outputArgs = new OutputArguments();
        var command = new Command("publish", "Compress a knowledge model (two-tower decomposition, category degeneration) and publish user, item and user-category tables as a new version of a knowledge store; the oldest versions beyond --keep-versions are removed.\n\nExamples:\n  keep publish --model knowledge.zip --data keep-demo/data --store keep-store --version 2025-01-01\n  keep publish --model knowledge.zip --data keep-demo/data --store redis://127.0.0.1:6379 --version 2025-01-01");
        foreach (var option in new Option[] { model, data, serve, store, version, keep, rows }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            string folder = result.GetValue(data)!.FullName;
            string super = DataArgument.Resolve(result.GetValue(data)!, "super.parquet");
            var served = result.GetValue(serve) is { Length: > 0 } files ? files.Select(f => f.FullName).ToArray()
                : DefaultServed.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToArray();
            if (served.Length == 0) throw new FileNotFoundException($"{folder}: no sub_train.parquet or sub_test.parquet to serve; name files with --serve.");
            foreach (string file in served) if (!File.Exists(file)) throw new FileNotFoundException($"{file}: not found.", file);
            var clock = Stopwatch.StartNew();
            // The store first: an unreachable store or a taken version fails in a second, not after the compression.
            using var target = KnowledgeStore.Open(result.GetValue(store)!, result.GetValue(keep));
            if (target.Versions().Contains(result.GetValue(version)!))
                throw new ArgumentException($"{target.Location}: version '{result.GetValue(version)}' is already published; versions are immutable (choose another --version).");
            using var knowledge = KnowledgeModelFile.LoadCheckpoint(result.GetValue(model)!.FullName);
            var compressed = ProgressDisplay.Spin(console, quiet, "Compressing knowledge", () =>
                new KnowledgeCompressor(new KnowledgeCompressionOptions { TrainingRows = result.GetValue(rows) })
                    .Fit(knowledge, () => ImpressionFile.Read(super), () => served.SelectMany(f => ImpressionFile.Read(f))));
            ProgressDisplay.Spin(console, quiet, $"Publishing {compressed.Entries:N0} entries", () => { target.Publish(result.GetValue(version)!, compressed.ToTables()); return 0; });
            var summary = new
            {
                store = target.Location,
                version = result.GetValue(version),
                versions = target.Versions(),
                users = compressed.Users.Count,
                items = compressed.Items.Count,
                userCategories = compressed.UserCategories.Count,
                entries = compressed.Entries,
                fit = compressed.Fit,
                seconds = clock.Elapsed.TotalSeconds,
            };
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"Published [bold]{summary.version}[/] to {summary.store}: {summary.users:N0} users + {summary.items:N0} items + {summary.userCategories:N0} user-category pairs; fit R² {compressed.Fit.DecompositionHoldoutR2:F3} (decomposition), {compressed.Fit.DegenerationHoldoutR2:F3} (degeneration). Versions: {string.Join(", ", summary.versions)}.");
            return KeepCli.Ok;
        }));
        return command;
    }
}
