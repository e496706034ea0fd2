using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep predict</c>: scores an impression file with any saved ML.NET model zip.</summary>
internal static class PredictCommand
{
    private static readonly string[] ScoreColumns = ["Score", "Probability"];

    /// <summary>The columns that identify an output row: Day (when the input has it), UserId, ItemId.</summary>
    internal static string[] KeyColumns(string dataPath)
        => ImpressionFile.MissingUnlabelledColumns(dataPath).Contains(ImpressionColumns.Day)
            ? [ImpressionColumns.UserId, ImpressionColumns.ItemId]
            : [ImpressionColumns.Day, ImpressionColumns.UserId, ImpressionColumns.ItemId];

    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "A model zip from 'keep train', 'keep experiment' or mlContext.Model.Save.", Required = true };
        var data = new Option<FileInfo>("--data", "-d") { Description = "Impression file (.parquet/.csv); rows to be scored need no Day and no labels.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Parquet file to write: Day (when the input has it), UserId, ItemId, Score and Probability.", Required = true };
        var outputArgs = new OutputArguments();
        var command = new Command("predict", "Score every row of an impression file with a saved model, loaded by plain ML.NET.\n\nExample:\n  keep predict --model keep-demo/models/keep-dnn.zip --data keep-demo/data/sub_test.parquet --out scores.parquet");
        foreach (var option in new Option[] { model, data, output }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            string modelPath = result.GetValue(model)!.FullName, dataPath = result.GetValue(data)!.FullName, outPath = WritablePath.File(result.GetValue(output)!.FullName, "--out", (dataPath, "--data"), (modelPath, "--model"));
            bool quiet = result.GetValue(outputArgs.Quiet) || result.GetValue(outputArgs.Json);
            var ml = new MLContext(1);
            var clock = Stopwatch.StartNew();
            var transformer = SavedModel.Load(ml, modelPath, out int historyLength);
            var scored = transformer.Transform(ImpressionFile.Load(dataPath, historyLength, labelled: false));
            string[] floats = [.. ScoreColumns.Where(n => scored.Schema.GetColumnOrNull(n)?.Type == NumberDataViewType.Single)];
            if (floats.Length == 0) throw new ArgumentException($"{modelPath}: the model adds no Single 'Score' or 'Probability' column; it is not a binary classifier.");
            long rows = ProgressDisplay.Run(console, quiet, "Scoring", report =>
                ColumnFileWriter.Write(scored, KeyColumns(dataPath), floats, [], outPath,
                    progress: new ProgressDisplay.Reporter(report)));
            (transformer as IDisposable)?.Dispose();
            var summary = new { output = outPath, rows, seconds = clock.Elapsed.TotalSeconds, rowsPerSecond = rows / clock.Elapsed.TotalSeconds, columns = floats };
            if (result.GetValue(outputArgs.Json)) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"Wrote {rows:N0} scored rows to [bold]{outPath}[/] in {summary.seconds:F1} s ({summary.rowsPerSecond:N0} rows/s).");
            return KeepCli.Ok;
        }));
        return command;
    }
}
