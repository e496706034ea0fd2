using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Knowledge;
using Microsoft.ML;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep extract</c>: adds knowledge columns to impressions and writes them to Parquet.</summary>
internal static class ExtractCommand
{
    private static readonly string[] KnowledgeColumns = ["K_u", "K_i", "K_ui"];

    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "A knowledge model from 'keep pretrain'.", Required = true };
        var data = new Option<FileInfo>("--data", "-d") { Description = "Impression file (.parquet/.csv); rows need no Day and no labels.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "Parquet file to write: Day (when the input has it), UserId, ItemId and the K_u, K_i, K_ui vectors.", Required = true };
        var portable = new Option<bool>("--portable") { Description = "Use the model exactly as plain ML.NET loads it (ONNX, row by row) instead of the batched network." };
        var outputArgs = new OutputArguments();
        var command = new Command("extract", "Compute KEEP knowledge (K_u, K_i, K_ui) for every row of an impression file.\n\nExample:\n  keep extract --model knowledge.zip --data keep-demo/data/sub_test.parquet --out knowledge.parquet");
        foreach (var option in new Option[] { model, data, output, portable }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            string modelPath = result.GetValue(model)!.FullName, dataPath = result.GetValue(data)!.FullName, outPath = WritablePath.File(result.GetValue(output)!.FullName, "--out", (dataPath, "--data"), (modelPath, "--model"));
            bool quiet = result.GetValue(outputArgs.Quiet) || result.GetValue(outputArgs.Json);
            var ml = new MLContext(1);
            var clock = Stopwatch.StartNew();
            ITransformer transformer;
            int historyLength;
            if (result.GetValue(portable) || !KnowledgeModelFile.HasCheckpoint(modelPath))
            {
                transformer = SavedModel.Load(ml, modelPath, out historyLength);
            }
            else
            {
                var checkpoint = KnowledgeModelFile.LoadCheckpoint(modelPath);
                historyLength = checkpoint.Options.HistoryLength;
                transformer = ml.Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Model = checkpoint }).Fit(ImpressionFile.Load(dataPath, historyLength, labelled: false));
            }
            var view = ImpressionFile.Load(dataPath, historyLength, labelled: false);
            var transformed = transformer.Transform(view);
            string[] vectors = [.. KnowledgeColumns.Where(n => transformed.Schema.GetColumnOrNull(n) != null)];
            if (vectors.Length == 0)
            {
                (transformer as IDisposable)?.Dispose();
                throw new ArgumentException($"--model: {modelPath} adds none of the knowledge columns ({string.Join(", ", KnowledgeColumns)}); it is not a KEEP knowledge model (keep pretrain writes one).");
            }
            long rows = ProgressDisplay.Run(console, quiet, "Extracting", report =>
                ColumnFileWriter.Write(transformed, PredictCommand.KeyColumns(dataPath), [], vectors, outPath,
                    progress: new ProgressDisplay.Reporter(report)));
            (transformer as IDisposable)?.Dispose();
            var summary = new { output = outPath, rows, seconds = clock.Elapsed.TotalSeconds, rowsPerSecond = rows / clock.Elapsed.TotalSeconds, columns = vectors };
            if (result.GetValue(outputArgs.Json)) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"Wrote {rows:N0} rows with {string.Join(", ", vectors)} to [bold]{outPath}[/] in {summary.seconds:F1} s ({summary.rowsPerSecond:N0} rows/s).");
            return KeepCli.Ok;
        }));
        return command;
    }
}
