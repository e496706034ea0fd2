using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data.Simulation;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep generate</c>: writes a simulated super-domain and sub-domain to files.</summary>
internal static class GenerateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var world = new WorldArguments();
        var output = new OutputArguments();
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder to write super/sub_train/sub_test files and world.json into.", Required = true };
        var format = new Option<string>("--format") { Description = "parquet, csv or both.", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet", "csv", "both");
        var command = new Command("generate", "Generate a simulated recommendation world: a super-domain (the whole site) and a sparse sub-domain.\n\nExamples:\n  keep generate --out data --preset tiny\n  keep generate --out data --users 50000 --seed 7 --format both");
        command.Options.Add(outDir);
        command.Options.Add(format);
        world.AddTo(command);
        output.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var options = world.Read(result);
            var dataset = Run(console, options, result.GetValue(outDir)!.FullName, ParseFormat(result.GetValue(format)!),
                quiet: result.GetValue(output.Quiet) || result.GetValue(output.Json));
            if (result.GetValue(output.Json)) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(dataset, CliJson.Options));
            else DatasetTable.Write(console, dataset);
            return KeepCli.Ok;
        }));
        return command;
    }

    /// <summary>Generates with a progress bar; shared with <c>demo</c>.</summary>
    public static GeneratedDataset Run(IAnsiConsole console, WorldOptions options, string directory, DatasetFormat format, bool quiet)
        => ProgressDisplay.Run(console, quiet, "Simulating", report =>
            DatasetGenerator.Generate(options, directory, format, new ProgressDisplay.Reporter(report)));

    private static DatasetFormat ParseFormat(string text) => text switch
    {
        "csv" => DatasetFormat.Csv,
        "both" => DatasetFormat.Parquet | DatasetFormat.Csv,
        _ => DatasetFormat.Parquet,
    };
}
