using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep evaluate</c>: GAUC, AUC and log-loss of a saved model on impressions, overall and by user activity.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "A model zip ('keep train', 'keep demo', mlContext.Model.Save).", Required = true };
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "Impressions to evaluate on (.parquet/.csv), or a folder of shard files (under mpiexec each rank scores its shards; GAUC is merged exactly).", Required = true };
        var label = new Option<string>("--label") { Description = "Label column: Click, Conversion or Cart.", DefaultValueFactory = _ => ImpressionColumns.Click };
        var bucketsFrom = new Option<FileInfo?>("--buckets-from") { Description = "Training impressions: GAUC is also reported per user-activity bucket (rows per user in this file)." };
        var bounds = new Option<string>("--bounds") { Description = "Inclusive upper bounds of the activity buckets.", DefaultValueFactory = _ => "5,20" };
        var outputArgs = new OutputArguments();
        var command = new Command("evaluate", "GAUC (impression-weighted per-user AUC), AUC and log-loss of a saved model, optionally per user-activity bucket (paper Table 7).\n\nExamples:\n  keep evaluate --model keep-demo/models/keep-dnn.zip --data keep-demo/data/sub_test.parquet --buckets-from keep-demo/data/sub_train.parquet\n  mpiexec -n 4 keep evaluate --model keep-dnn.zip --data test-shards/");
        foreach (var option in new Option[] { model, data, label, bucketsFrom, bounds }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var ml = new MLContext(1);
            var ranks = KeepCli.JobRanks;
            var transformer = SavedModel.Load(ml, result.GetValue(model)!.FullName, out int historyLength);
            var shards = ShardFiles.All(result.GetValue(data)!, "--data");
            string labelColumn = result.GetValue(label)!;
            // Decided from the first shard's schema on every rank alike (a rank may have no shard).
            string? probability = transformer.GetOutputSchema(ImpressionFile.Load(shards[0], historyLength).Schema).GetColumnOrNull("Probability")?.Type == NumberDataViewType.Single ? "Probability" : null;
            GaucMetrics overall;
            var buckets = new Dictionary<string, GaucMetrics>();
            if (ranks == null && !ShardFiles.IsFolder(result.GetValue(data)!))
            {
                var scored = transformer.Transform(ImpressionFile.Load(shards[0], historyLength));
                overall = ml.BinaryClassification.EvaluateGauc(scored, labelColumn, ImpressionColumns.UserId, "Score", probability);
                if (result.GetValue(bucketsFrom) is { } training)
                {
                    var limits = result.GetValue(bounds)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        .Select(b => int.TryParse(b, out int v) ? v : throw new ArgumentException($"--bounds: '{b}' is not an integer.")).ToList();
                    buckets = new(GaucEvaluator.EvaluateByBucket(scored, UserActivityBuckets.FromRows(ImpressionFile.Read(training.FullName), limits).Of, labelColumn, "Score", ImpressionColumns.UserId, probability));
                }
            }
            else
            {
                if (result.GetValue(bucketsFrom) != null) throw new ArgumentException("--buckets-from evaluates one file in one process; give --data a single file and run without mpiexec.");
                var mine = ShardFiles.Mine(shards, ranks).Select(f => transformer.Transform(ImpressionFile.Load(f, historyLength))).ToList();
                overall = GaucAcrossRanks.Evaluate(mine, ranks ?? Training.Distributed.SingleRank.Instance, labelColumn, "Score", ImpressionColumns.UserId, probability);
            }
            (transformer as IDisposable)?.Dispose();
            if (ranks is { Rank: > 0 }) return KeepCli.Ok; // rank 0 reports
            if (result.GetValue(outputArgs.Json))
            {
                console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { overall, buckets }, CliJson.Options));
                return KeepCli.Ok;
            }
            var table = new Table().AddColumns("users", "GAUC", "AUC", "log-loss", "users in GAUC", "single-class users", "impressions");
            foreach (var (name, m) in new[] { ("all", overall) }.Concat(buckets.Select(b => (b.Key + " rows", b.Value))))
                table.AddRow(name, $"{m.Gauc:F4}", $"{m.Auc:F4}", double.IsNaN(m.LogLoss) ? "" : $"{m.LogLoss:F4}", $"{m.Groups:N0}", $"{m.SingleClassGroups:N0}", $"{m.Impressions:N0}");
            console.Write(table);
            return KeepCli.Ok;
        }));
        return command;
    }
}
