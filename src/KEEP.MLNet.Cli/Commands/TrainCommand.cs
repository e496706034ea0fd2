using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep train</c>: a downstream model on sub-domain rows, with or without KEEP knowledge, saved as an ML.NET zip.</summary>
internal static class TrainCommand
{
    private static readonly string[] Trainers = ["keep-dnn", "fasttree", "lightgbm", "sdca"];

    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<FileSystemInfo>("--data", "-d") { Description = "Training impressions: a file, or a folder with sub_train.parquet.", Required = true };
        var trainer = new Option<string>("--trainer", "-t") { Description = $"Downstream trainer: {string.Join(", ", Trainers)}.", DefaultValueFactory = _ => "keep-dnn" };
        trainer.AcceptOnlyFromAmong(Trainers);
        var knowledge = new Option<FileInfo?>("--knowledge", "-k") { Description = "A knowledge model from 'keep pretrain' to plug in; without it the base model is trained." };
        var label = new Option<PretrainingTask>("--label") { Description = "What the model predicts: Click, Conversion or Cart (paper Table 5).", DefaultValueFactory = _ => PretrainingTask.Click };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the rows (keep-dnn).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and shuffling.", DefaultValueFactory = _ => 7 };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The model zip to write.", Required = true };
        var outputArgs = new OutputArguments();
        var command = new Command("train", "Train a downstream CTR model on sub-domain rows, with KEEP knowledge plugged in when --knowledge is given, and save it as an ML.NET zip.\n\nExamples:\n  keep train --data keep-demo/data --knowledge knowledge.zip --out keep-dnn.zip\n  keep train --data keep-demo/data --trainer fasttree --knowledge knowledge.zip --out fasttree-keep.zip");
        foreach (var option in new Option[] { data, trainer, knowledge, label, epochs, seed, output }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            string file = TrainingFile(result.GetValue(data)!);
            string name = result.GetValue(trainer)!, outPath = result.GetValue(output)!.FullName;
            var task = result.GetValue(label);
            using var model = result.GetValue(knowledge) is { } k ? KnowledgeModelFile.LoadCheckpoint(k.FullName) : null;
            var ml = new MLContext(result.GetValue(seed));
            var view = ImpressionFile.Load(file, model?.Options.HistoryLength ?? 50);
            var clock = Stopwatch.StartNew();
            string status = "";
            var fitted = name == "keep-dnn"
                ? ProgressDisplay.Run<ITransformer>(console, quiet, "Training KEEP DNN", report => new KeepDnnEstimator(
                    new KeepDnnOptions { Label = task, Epochs = result.GetValue(epochs), Seed = result.GetValue(seed) }, model)
                    {
                        Progress = new SynchronousProgress<DownstreamProgress>(p =>
                        {
                            if (!double.IsNaN(p.Loss)) status = "loss " + p.Loss.ToString("F4", CultureInfo.InvariantCulture);
                            report(p.Rows, p.TotalRows);
                        }),
                    }.Fit(view), () => status)
                : ProgressDisplay.Spin(console, quiet, $"Training {name}", () => BaseFeatures.Estimator(ml).Append(Trainer(ml, name, task.ToString(), result.GetValue(seed), model)).Fit(view));
            ml.Model.Save(fitted, view.Schema, outPath);
            (fitted as IDisposable)?.Dispose();
            var summary = new { model = outPath, trainer = name, knowledge = model != null, label = task.ToString(), rows = view.GetRowCount(), seconds = clock.Elapsed.TotalSeconds };
            if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else console.MarkupLineInterpolated($"Trained {name}{(model != null ? " + KEEP" : "")} ({task}) on {summary.rows:N0} rows in {summary.seconds:F0} s → [bold]{outPath}[/]");
            return KeepCli.Ok;
        }));
        return command;
    }

    /// <summary>An ML.NET trainer on the hashed id features, plugged with the knowledge model when there is one.</summary>
    private static IEstimator<ITransformer> Trainer(MLContext ml, string name, string label, int seed, PretrainedModel? knowledge)
    {
        var trainers = ml.BinaryClassification.Trainers;
        return name switch
        {
            "fasttree" => Plug(trainers, trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options { LabelColumnName = label, Seed = seed }), knowledge),
            "lightgbm" => Plug(trainers, trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer.Options { LabelColumnName = label, Seed = seed }), knowledge),
            _ => Plug(trainers, trainers.SdcaLogisticRegression(labelColumnName: label), knowledge),
        };
    }

    private static IEstimator<ITransformer> Plug<TModel>(BinaryClassificationCatalog.BinaryClassificationTrainers trainers,
        ITrainerEstimator<ISingleFeaturePredictionTransformer<TModel>, TModel> trainer, PretrainedModel? knowledge) where TModel : class
        => knowledge == null ? trainer : trainers.KeepPlugin(trainer, knowledge);

    /// <summary>A folder means its sub_train.parquet.</summary>
    public static string TrainingFile(FileSystemInfo data)
    {
        if (Directory.Exists(data.FullName))
        {
            string train = Path.Combine(data.FullName, "sub_train.parquet");
            return File.Exists(train) ? train : throw new FileNotFoundException($"{data.FullName}: no sub_train.parquet in this folder.", train);
        }
        return File.Exists(data.FullName) ? data.FullName : throw new FileNotFoundException($"{data.FullName}: not found.", data.FullName);
    }
}
