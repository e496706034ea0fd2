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
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "Impression file (.parquet/.csv; rows need no Day and no labels), or a folder of shard files (under mpiexec each rank extracts its shards).", Required = true };
        var output = new Option<FileSystemInfo>("--out", "-o") { Description = "Parquet file to write: Day (when the input has it), UserId, ItemId and the K_u, K_i, K_ui vectors; for a folder of shards, a folder that gets one such file per shard (same name, .parquet).", Required = true };
        var portable = new Option<bool>("--portable") { Description = "Use the model exactly as plain ML.NET loads it (ONNX, row by row) instead of the batched network." };
        var outputArgs = new OutputArguments();
        var command = new Command("extract", "Compute KEEP knowledge (K_u, K_i, K_ui) for every row of an impression file, or of every shard of a folder.\n\nExamples:\n  keep extract --model knowledge.zip --data keep-demo/data/sub_test.parquet --out knowledge.parquet\n  mpiexec -n 4 keep extract --model knowledge.zip --data shards/ --out knowledge-shards/");
        foreach (var option in new Option[] { model, data, output, portable }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var ranks = KeepCli.JobRanks;
            var dataArgument = result.GetValue(data)!;
            string modelPath = result.GetValue(model)!.FullName;
            var shards = ShardFiles.All(dataArgument, "--data");
            bool folder = ShardFiles.IsFolder(dataArgument);
            string outArgument = result.GetValue(output)!.FullName;
            if (folder && File.Exists(outArgument)) throw new ArgumentException($"--out: {outArgument} is a file; for a folder of shards give a folder (one output per shard).");
            var mine = ShardFiles.Mine(shards, ranks).Select(f => (In: f, Out: folder
                ? WritablePath.File(Path.Combine(outArgument, Path.GetFileNameWithoutExtension(f) + ".parquet"), "--out", (f, "--data"), (modelPath, "--model"))
                : WritablePath.File(outArgument, "--out", (f, "--data"), (modelPath, "--model")))).ToList();
            bool quiet = result.GetValue(outputArgs.Quiet) || result.GetValue(outputArgs.Json) || ranks is { Rank: > 0 };
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
                transformer = ml.Transforms.KeepKnowledge(new KnowledgeExtractionOptions { Model = checkpoint }).Fit(ImpressionFile.Load(shards[0], historyLength, labelled: false));
            }
            var schema = transformer.GetOutputSchema(ImpressionFile.Load(shards[0], historyLength, labelled: false).Schema);
            string[] vectors = [.. KnowledgeColumns.Where(n => schema.GetColumnOrNull(n) != null)];
            if (vectors.Length == 0)
            {
                (transformer as IDisposable)?.Dispose();
                throw new ArgumentException($"--model: {modelPath} adds none of the knowledge columns ({string.Join(", ", KnowledgeColumns)}); it is not a KEEP knowledge model (keep pretrain writes one).");
            }
            long rows = 0;
            foreach (var (input, outPath) in mine)
            {
                var transformed = transformer.Transform(ImpressionFile.Load(input, historyLength, labelled: false));
                rows += ProgressDisplay.Run(console, quiet, mine.Count > 1 ? $"Extracting {Path.GetFileName(input)}" : "Extracting", report =>
                    ColumnFileWriter.Write(transformed, PredictCommand.KeyColumns(input), [], vectors, outPath,
                        progress: new ProgressDisplay.Reporter(report)));
            }
            (transformer as IDisposable)?.Dispose();
            if (ranks != null)
            {
                var total = new[] { rows };
                ranks.SumInPlace(total);
                rows = total[0];
                if (ranks.Rank > 0) return KeepCli.Ok; // rank 0 reports
            }
            string written = folder ? outArgument : mine[0].Out;
            var summary = new { output = written, rows, shards = folder ? shards.Count : (int?)null, ranks = ranks?.Size ?? 1, seconds = clock.Elapsed.TotalSeconds, rowsPerSecond = rows / clock.Elapsed.TotalSeconds, columns = vectors };
            if (result.GetValue(outputArgs.Json)) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"Wrote {rows:N0} rows with {string.Join(", ", vectors)} to [bold]{written}[/]{(folder ? $" ({shards.Count} shards)" : "")} in {summary.seconds:F1} s ({summary.rowsPerSecond:N0} rows/s).");
            return KeepCli.Ok;
        }));
        return command;
    }
}
