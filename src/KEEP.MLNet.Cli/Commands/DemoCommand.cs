using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Demo;
using KEEP.MLNet.Cli.Rendering;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep demo</c>: the end-to-end run on the embedded simulator.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var world = new WorldArguments(defaultPreset: "small");
        var output = new OutputArguments();
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Folder for the demo's data, models and report.",
            DefaultValueFactory = _ => new DirectoryInfo("keep-demo"),
        };
        var command = new Command("demo", "Run KEEP end to end on a simulated world: generate → pre-train → extract → train Base and KEEP models (KEEP DNN, FastTree) → GAUC → save zips → reload and predict. The small world (default) takes about 2 minutes on 2 cores; --preset default is the paper-size world.\n\nExamples:\n  keep demo\n  keep demo --preset tiny --json\n  keep demo --preset default --out keep-demo-default");
        command.Options.Add(outDir);
        world.AddTo(command);
        output.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            bool json = result.GetValue(output.Json), quiet = json || result.GetValue(output.Quiet);
            var options = world.Read(result);
            string folder = result.GetValue(outDir)!.FullName;
            if (!quiet) console.MarkupLineInterpolated($"[bold]KEEP demo[/] — preset [bold]{result.GetValue(world.Preset)}[/], seed {options.Seed}, writing to {folder}");
            var results = new DemoPipeline(console, quiet, folder).Run(options);
            if (json)
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(results, CliJson.Options));
                return KeepCli.Ok;
            }
            DatasetTable.Write(console, results.Dataset);
            DemoTables.Write(console, results);
            return KeepCli.Ok;
        }));
        return command;
    }
}
