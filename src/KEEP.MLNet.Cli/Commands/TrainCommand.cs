using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Retrieval;
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
        var continueFrom = new Option<FileInfo?>("--continue-from") { Description = "A KEEP DNN zip from 'keep train' to train further on --data (daily incremental training); it carries its own knowledge model." };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The model zip to write.", Required = true };
        var rok = new Option<FileInfo?>("--rok") { Description = "A ROK knowledge base from 'keep rok' to plug in (with --knowledge: KEEP and ROK side by side)." };
        var rokKinds = new Option<RokKnowledgeKinds>("--rok-kinds") { Description = "Which ROK knowledge: Instance, Fields or Both.", DefaultValueFactory = _ => RokKnowledgeKinds.Fields };
        var every = new Option<long>("--checkpoint-every") { Description = "Rows between resume checkpoints of a KEEP DNN (written atomically to OUT.resume); 0 writes none.", DefaultValueFactory = _ => 200_000 };
        var resume = new Option<bool>("--resume") { Description = "Continue a killed KEEP DNN run from OUT.resume (same data and options; the result equals an uninterrupted run)." };
        var outputArgs = new OutputArguments();
        var command = new Command("train", "Train a downstream CTR model on sub-domain rows, with KEEP knowledge (--knowledge) and/or ROK knowledge (--rok) plugged in, and save it as an ML.NET zip.\n\nExamples:\n  keep train --data keep-demo/data --knowledge knowledge.zip --out keep-dnn.zip\n  keep train --data keep-demo/data --trainer fasttree --knowledge knowledge.zip --out fasttree-keep.zip\n  keep train --data keep-demo/data --trainer fasttree --knowledge knowledge.zip --rok rok.keep --out fasttree-keep-rok.zip\n  keep train --data day15.parquet --continue-from keep-dnn.zip --out keep-dnn-day15.zip");
        foreach (var option in new Option[] { data, trainer, knowledge, label, epochs, seed, continueFrom, output, rok, rokKinds, every, resume }) command.Options.Add(option);
        outputArgs.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            bool json = result.GetValue(outputArgs.Json), quiet = json || result.GetValue(outputArgs.Quiet);
            string file = DataArgument.Resolve(result.GetValue(data)!, "sub_train.parquet");
            string name = result.GetValue(trainer)!, outPath = WritablePath.File(result.GetValue(output)!.FullName, "--out");
            var task = result.GetValue(label);
            using var model = result.GetValue(knowledge) is { } k ? KnowledgeModelFile.LoadCheckpoint(k.FullName) : null;
            var ml = new MLContext(result.GetValue(seed));
            var view = ImpressionFile.Load(file, model?.Options.HistoryLength ?? 50);
            var clock = Stopwatch.StartNew();
            string status = "";
            IProgress<DownstreamProgress> ProgressTo(Action<long, long> report) => new SynchronousProgress<DownstreamProgress>(p =>
            {
                if (!double.IsNaN(p.Loss)) status = "loss " + p.Loss.ToString("F4", CultureInfo.InvariantCulture);
                report(p.Rows, p.TotalRows);
            });
            string checkpoint = outPath + ".resume";
            long checkpointEvery = result.GetValue(every);
            if (checkpointEvery < 0) throw new ArgumentException($"--checkpoint-every: {checkpointEvery} is negative.");
            if (result.GetValue(resume))
            {
                if (name != "keep-dnn") throw new ArgumentException("--resume continues a KEEP DNN run; the tree and linear trainers train in one call and have nothing to resume.");
                if (model != null || result.GetValue(continueFrom) != null || result.GetValue(rok) != null)
                    throw new ArgumentException("--resume continues from OUT.resume, which already holds the DNN and its knowledge model; leave out --knowledge, --continue-from and --rok.");
                if (!File.Exists(checkpoint)) throw new ArgumentException($"--resume: there is no resume checkpoint at {checkpoint}; start the run without --resume.");
                var resumed = ProgressDisplay.Run(console, quiet, "Resuming KEEP DNN", report =>
                    new KeepDnnTrainer(new KeepDnnOptions { Label = task, Epochs = result.GetValue(epochs), Seed = result.GetValue(seed) })
                    { Progress = ProgressTo(report), CheckpointPath = checkpointEvery > 0 ? checkpoint : null, CheckpointEveryRows = Math.Max(1, checkpointEvery) }
                        .Resume(checkpoint, () => ImpressionFile.Read(file), view.GetRowCount() ?? 0), () => status);
                using (var transformer = KeepDnnTransformer.Create(resumed, ImpressionFile.Load(file, resumed.Options.HistoryLength)))
                    KeepDnnModelFile.Save(ml, transformer, view.Schema, outPath);
                File.Delete(checkpoint);
                Report(console, json, outPath, "keep-dnn (resumed)" + RokSuffix(resumed), resumed.KnowledgeModel != null, task, view.GetRowCount(), clock.Elapsed.TotalSeconds);
                return KeepCli.Ok;
            }
            if (result.GetValue(continueFrom) is { } previous)
            {
                if (model != null || result.GetValue(rok) != null)
                    throw new ArgumentException("--knowledge/--rok: the model given to --continue-from carries its own knowledge models; leave them out.");
                if (name != "keep-dnn") throw new ArgumentException("--continue-from continues a KEEP DNN; leave --trainer at keep-dnn.");
                var continued = ProgressDisplay.Run(console, quiet, "Continuing KEEP DNN", report =>
                {
                    var loaded = KeepDnnModelFile.LoadCheckpoint(previous.FullName);
                    var trainer = new KeepDnnTrainer(loaded.Options with { Epochs = result.GetValue(epochs) }) { Progress = ProgressTo(report) };
                    return trainer.Continue(loaded, () => ImpressionFile.Read(file), view.GetRowCount() ?? 0);
                }, () => status);
                using (var transformer = KeepDnnTransformer.Create(continued, ImpressionFile.Load(file, continued.Options.HistoryLength)))
                    KeepDnnModelFile.Save(ml, transformer, view.Schema, outPath);
                Report(console, json, outPath, "keep-dnn (continued)" + RokSuffix(continued), continued.KnowledgeModel != null, continued.Options.Label, view.GetRowCount(), clock.Elapsed.TotalSeconds);
                return KeepCli.Ok;
            }
            using var rokModel = result.GetValue(rok) is { } r ? RokModel.Load(r.FullName) : null;
            IKnowledgeSource? source = model == null ? null : new ExactKnowledge(model);
            if (rokModel != null)
            {
                var rokSource = new RokKnowledge(rokModel, result.GetValue(rokKinds));
                source = source == null ? rokSource : new CombinedKnowledge(source, rokSource);
            }
            var fitted = name == "keep-dnn"
                ? ProgressDisplay.Run<ITransformer>(console, quiet, "Training KEEP DNN", report =>
                    new KeepDnnEstimator(new KeepDnnOptions { Label = task, Epochs = result.GetValue(epochs), Seed = result.GetValue(seed) }, source)
                    { Progress = ProgressTo(report), CheckpointPath = checkpointEvery > 0 ? checkpoint : null, CheckpointEveryRows = Math.Max(1, checkpointEvery) }.Fit(view),
                    () => status)
                : ProgressDisplay.Spin(console, quiet, $"Training {name}", () => DownstreamPipelines.Create(ml, name, task.ToString(), result.GetValue(seed), model,
                    rok: rokModel == null ? null : new RokKnowledgeOptions { Model = rokModel, Emit = result.GetValue(rokKinds) }).Fit(view));
            if (fitted is KeepDnnTransformer dnn) KeepDnnModelFile.Save(ml, dnn, view.Schema, outPath);
            else ml.Model.Save(fitted, view.Schema, outPath);
            File.Delete(checkpoint); // the finished model supersedes it
            (fitted as IDisposable)?.Dispose();
            Report(console, json, outPath, name + (rokModel != null ? " + ROK" : ""), model != null, task, view.GetRowCount(), clock.Elapsed.TotalSeconds);
            return KeepCli.Ok;
        }));
        return command;
    }

    private static string RokSuffix(KeepDnn model) => KnowledgeParts.Of(model.Knowledge).Any(p => p is RokKnowledge) ? " + ROK" : "";

    private static void Report(IAnsiConsole console, bool json, string outPath, string trainer, bool knowledge, PretrainingTask label, long? rows, double seconds)
    {
        var summary = new { model = outPath, trainer, knowledge, label = label.ToString(), rows, seconds };
        if (json) console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
        // A CSV file does not know its row count before it is read (the JSON then says null).
        else console.MarkupLineInterpolated($"Trained {trainer}{(knowledge ? " + KEEP" : "")} ({label}){(rows is { } n ? $" on {n:N0} rows" : "")} in {seconds:F0} s → [bold]{outPath}[/]");
    }

}
