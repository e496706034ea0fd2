using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Pretraining;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep report</c>: report.md and PNG charts from the results of <c>keep experiment paper</c>.</summary>
internal static class ReportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var results = new Option<FileInfo>("--results", "-r") { Description = "results.json written by 'keep experiment paper' (or its folder).", Required = true };
        var knowledge = new Option<FileInfo?>("--knowledge", "-k") { Description = "A knowledge model whose pre-training loss per task is charted; default: the first seed's knowledge-all.keep beside the results." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for report.md and the charts; default: the results' folder." };
        var outputArgs = new OutputArguments();
        var command = new Command("report", "Write report.md with the paper-style tables and PNG charts (GAUC per trainer, gain by user sparsity, knowledge and task ablations, ROK, pre-training loss per task) from experiment results.\n\nExamples:\n  keep experiment paper --preset small --seeds 1,2 --out runs/paper\n  keep report --results runs/paper/results.json --out runs/paper/report");
        foreach (var option in new Option[] { results, knowledge, output }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            string path = result.GetValue(results)!.FullName;
            if (Directory.Exists(path)) path = Path.Combine(path, "results.json");
            if (!File.Exists(path)) throw new FileNotFoundException($"--results: {path} does not exist; run 'keep experiment paper' first.", path);
            List<ExperimentResult> list;
            try
            {
                list = JsonSerializer.Deserialize<List<ExperimentResult>>(File.ReadAllText(path), ResultsJson.Options) ?? [];
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"--results: {path} is not experiment results ({e.Message}).", e);
            }
            if (list.Count == 0) throw new ArgumentException($"--results: {path} holds no results.");
            string folder = WritablePath.Folder(result.GetValue(output)?.FullName ?? Path.GetDirectoryName(path)!, "--out");
            string? knowledgePath = result.GetValue(knowledge)?.FullName ?? Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "knowledge-all.keep", SearchOption.AllDirectories).Order().FirstOrDefault();
            using var model = knowledgePath == null ? null : Knowledge.KnowledgeModelFile.LoadCheckpoint(knowledgePath);
            var charts = ExperimentReport.Write(list, folder, model, $"Experiment results ({list.Select(r => r.Seed).Distinct().Count()} seeds)");
            string report = Path.Combine(folder, "report.md");
            if (result.GetValue(outputArgs.Json))
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { report, charts }, CliJson.Options));
            else if (!result.GetValue(outputArgs.Quiet))
                console.MarkupLine($"Wrote [bold]{Markup.Escape(report)}[/] and {charts.Count} charts: {Markup.Escape(string.Join(", ", charts.Select(Path.GetFileName)))}");
            return KeepCli.Ok;
        }));
        return command;
    }
}
