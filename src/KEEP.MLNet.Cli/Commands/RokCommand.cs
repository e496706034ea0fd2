using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Retrieval;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep rok</c>: trains ROK (sample index → retrieval teacher → knowledge base) on super-domain rows.</summary>
internal static class RokCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "A folder from 'keep generate'/'keep import' (its super.parquet is used) or an impression file in day order.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The ROK knowledge base to write (RokModel checkpoint).", Required = true };
        var neighbours = new Option<int>("--neighbours", "-k") { Description = "Rows retrieved per row for the teacher.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and shuffling.", DefaultValueFactory = _ => 42 };
        var outputArgs = new OutputArguments();
        var command = new Command("rok", "Train ROK's retrieval-oriented knowledge base: index the rows (BM25, earlier days only), train the retrieval-augmented teacher, distil it into a knowledge base that needs no retrieval. Plug it in with 'keep train --rok'.\n\nExamples:\n  keep rok --data keep-demo/data --out rok.keep\n  keep train --data keep-demo/data --knowledge knowledge.zip --rok rok.keep --out keep-rok-dnn.zip");
        foreach (var option in new Option[] { data, output, neighbours, seed }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            string file = DataArgument.Resolve(result.GetValue(data)!, "super.parquet");
            string path = WritablePath.File(result.GetValue(output)!.FullName, "--out");
            var options = new RokOptions { Seed = result.GetValue(seed), Retrieval = new RetrievalOptions { Neighbours = result.GetValue(neighbours) } };
            options.Validate();
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            long rows = ImpressionFile.Load(file).GetRowCount() ?? 0;
            string status = "";
            using var training = ProgressDisplay.Run(console, quiet, "Training ROK", report => new RokTrainer(options)
            {
                Progress = new SynchronousProgress<RokProgress>(p =>
                {
                    status = p.Stage + (double.IsNaN(p.Loss) ? "" : " loss " + p.Loss.ToString("F4", CultureInfo.InvariantCulture));
                    report(p.Rows, Math.Max(p.TotalRows, rows));
                }),
            }.Fit(() => ImpressionFile.Read(file)), () => status);
            training.Model.Save(path);
            var summary = new
            {
                model = path,
                indexedRows = training.Index.Count,
                teacherFinalLoss = training.Teacher.Losses.Count > 0 ? training.Teacher.Losses[^1] : double.NaN,
                reconstructionError = training.Model.History.ReconstructionErrors.Count > 0 ? training.Model.History.ReconstructionErrors[^1] : double.NaN,
                instanceDim = training.Model.InstanceDim,
                fieldsDim = training.Model.FieldsDim,
            };
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"ROK knowledge base written to [bold]{path}[/]: {summary.indexedRows:N0} rows indexed, teacher loss {summary.teacherFinalLoss:F4}, reconstruction MSE {summary.reconstructionError:F5}.");
            return KeepCli.Ok;
        }));
        return command;
    }
}
