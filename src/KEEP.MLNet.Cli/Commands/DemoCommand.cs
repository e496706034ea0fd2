using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data.Simulation;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>
/// <c>keep demo</c>: the end-to-end run on the embedded simulator. Today it generates the world and
/// summarises it; pre-training, plugging and evaluation join as they land.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var world = new WorldArguments();
        var output = new OutputArguments();
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Folder for the demo's data and reports.",
            DefaultValueFactory = _ => new DirectoryInfo("keep-demo"),
        };
        var command = new Command("demo", "Run KEEP end to end on a simulated world: generate the super-domain and the sub-domain and summarise them.\n\nExamples:\n  keep demo\n  keep demo --preset tiny --json");
        command.Options.Add(outDir);
        world.AddTo(command);
        output.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            bool json = result.GetValue(output.Json);
            var options = world.Read(result);
            string data = Path.Combine(result.GetValue(outDir)!.FullName, "data");
            if (!json && !result.GetValue(output.Quiet))
                console.MarkupLineInterpolated($"[bold]KEEP demo[/] — preset [bold]{result.GetValue(world.Preset)}[/], seed {options.Seed}, writing to {data}");
            var dataset = GenerateCommand.Run(console, options, data, DatasetFormat.Parquet, quiet: json || result.GetValue(output.Quiet));
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { dataset }, CliJson.Options));
            else DatasetTable.Write(console, dataset);
            return KeepCli.Ok;
        }));
        return command;
    }
}
