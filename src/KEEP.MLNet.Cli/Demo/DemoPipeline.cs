using System.Diagnostics;
using System.Globalization;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Cli.Commands;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Demo;

/// <summary>
/// The end-to-end demo: generate a world → pre-train the knowledge model on the super-domain → extract
/// knowledge → train Base and KEEP downstream models (KEEP DNN and FastTree) on the sub-domain → GAUC on
/// the test day → save every model as an ML.NET zip → load each back and predict rows with PredictionEngine.
/// </summary>
internal sealed class DemoPipeline(IAnsiConsole console, bool quiet, string folder)
{
    private const int PredictedRows = 3;

    public DemoResults Run(WorldOptions world)
    {
        var clock = Stopwatch.StartNew();
        string data = Path.Combine(folder, "data"), models = Path.Combine(folder, "models"), report = Path.Combine(folder, "report");
        Directory.CreateDirectory(models);
        var dataset = GenerateCommand.Run(console, world, data, DatasetFormat.Parquet, quiet);
        string super = dataset.Files[DatasetSplit.Super], train = dataset.Files[DatasetSplit.SubTrain], test = dataset.Files[DatasetSplit.SubTest];

        Step("Pre-training the knowledge model on the super-domain (click, conversion, cart)");
        var pretrainClock = Stopwatch.StartNew();
        using var knowledge = PretrainCommand.Run(console, quiet, super, new PretrainingOptions { Seed = world.Seed, ProgressInterval = 5 }, continueFrom: null);
        double pretrainSeconds = pretrainClock.Elapsed.TotalSeconds;
        string knowledgeZip = Path.Combine(models, "knowledge.zip");
        PretrainCommand.Save(knowledge, super, knowledgeZip);

        Step("Extracting K_u, K_i, K_ui for the sub-domain test rows");
        double extraction = Extract(knowledge, test, Path.Combine(data, "sub_test_knowledge.parquet"));

        Step("Training downstream models on the sub-domain, with and without knowledge");
        var ml = new MLContext(world.Seed);
        var trainView = ImpressionFile.Load(train, knowledge.Options.HistoryLength);
        var testView = ImpressionFile.Load(test, knowledge.Options.HistoryLength);
        var dnn = new KeepDnnOptions { Seed = world.Seed };
        // Estimators given a progress sink report rows and loss; the others (ML.NET's trainers) get a spinner.
        var candidates = new (string Name, bool Knowledge, Func<IProgress<DownstreamProgress>?, IEstimator<ITransformer>> Estimator)[]
        {
            ("Base DNN", false, p => new KeepDnnEstimator(dnn) { Progress = p }),
            ("KEEP DNN", true, p => new KeepDnnEstimator(dnn, knowledge) { Progress = p }),
            ("FastTree", false, _ => DownstreamPipelines.Create(ml, "fasttree", ImpressionColumns.Click, world.Seed, null)),
            ("FastTree + KEEP", true, _ => DownstreamPipelines.Create(ml, "fasttree", ImpressionColumns.Click, world.Seed, knowledge)),
        };
        var results = new List<DemoModel>();
        var predictions = new List<DemoPrediction>();
        var activity = UserActivityBuckets.FromRows(ImpressionFile.Read(train), [5, 20]);
        var labels = testView.GetColumn<bool>(ImpressionColumns.Click).ToArray();
        var users = testView.GetColumn<int>(ImpressionColumns.UserId).ToArray();
        var scores = new Dictionary<string, float[]>();
        foreach (var (name, withKnowledge, estimator) in candidates)
        {
            var fitClock = Stopwatch.StartNew();
            var model = Fit(name, estimator, trainView);
            double seconds = fitClock.Elapsed.TotalSeconds;
            // Cached: the metrics, the paired comparison and the reload check each read the scores; score once.
            var scored = ml.Data.Cache(model.Transform(testView));
            scores[name] = scored.GetColumn<float>("Score").ToArray();
            var metrics = ml.BinaryClassification.EvaluateGauc(scored, ImpressionColumns.Click, ImpressionColumns.UserId, "Score", "Probability");
            var byActivity = GaucEvaluator.EvaluateByBucket(scored, activity.Of, ImpressionColumns.Click, "Score", ImpressionColumns.UserId)
                .ToDictionary(b => b.Key, b => b.Value.Gauc);
            string zip = Path.Combine(models, Slug(name) + ".zip");
            ml.Model.Save(model, trainView.Schema, zip);
            predictions.AddRange(Reload(name, zip, test, scored));
            var losses = (model as KeepDnnTransformer)?.Model.Losses.ToList();
            results.Add(new DemoModel(name, withKnowledge, metrics.Gauc, metrics.Auc, metrics.LogLoss, metrics.Groups, seconds, zip, byActivity, losses));
            (model as IDisposable)?.Dispose();
        }

        // Each model with knowledge against its twin without, paired over the same test users (user bootstrap).
        var comparisons = new[] { ("KEEP DNN", "Base DNN"), ("FastTree + KEEP", "FastTree") }
            .Select(pair => DemoComparison.Of(pair.Item1, pair.Item2, GaucComparison.Of(scores[pair.Item2], scores[pair.Item1], labels, users, resamples: 1_000, seed: world.Seed)))
            .ToList();
        var outcome = new DemoResults(world, dataset, knowledgeZip, pretrainSeconds, knowledge.History.Rows, extraction, results, predictions,
            Path.Combine(report, "report.md"), clock.Elapsed.TotalSeconds) { Comparisons = comparisons };
        return DemoReport.Write(outcome, knowledge);
    }

    private void Step(string text)
    {
        if (!quiet) console.MarkupLineInterpolated($"[bold]{text}[/]");
    }

    /// <summary>Batched extraction of the test rows' knowledge to Parquet; returns rows per second.</summary>
    private double Extract(PretrainedModel knowledge, string test, string output)
    {
        var clock = Stopwatch.StartNew();
        var view = ImpressionFile.Load(test, knowledge.Options.HistoryLength);
        using var transformer = new MLContext(1).Transforms.KeepKnowledge(knowledge).Fit(view);
        long rows = ProgressDisplay.Run(console, quiet, "Extracting", report => ColumnFileWriter.Write(transformer.Transform(view),
            [ImpressionColumns.Day, ImpressionColumns.UserId, ImpressionColumns.ItemId], [], ["K_u", "K_i", "K_ui"], output, progress: new ProgressDisplay.Reporter(report)));
        return rows / clock.Elapsed.TotalSeconds;
    }

    private ITransformer Fit(string name, Func<IProgress<DownstreamProgress>?, IEstimator<ITransformer>> estimator, IDataView train)
    {
        if (estimator(null) is not KeepDnnEstimator) return ProgressDisplay.Spin(console, quiet, name, () => estimator(null).Fit(train));
        string status = "";
        return ProgressDisplay.Run(console, quiet, name, report => estimator(new SynchronousProgress<DownstreamProgress>(p =>
        {
            if (!double.IsNaN(p.Loss)) status = "loss " + p.Loss.ToString("F4", CultureInfo.InvariantCulture);
            report(p.Rows, p.TotalRows);
        })).Fit(train), () => status);
    }

    /// <summary>Loads the zip in a fresh context and predicts the first rows with a PredictionEngine.</summary>
    private static List<DemoPrediction> Reload(string name, string zip, string test, IDataView scored)
    {
        var ml = new MLContext(7);
        var loaded = KeepModel.Load(ml, zip, out _);
        using var engine = ml.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded);
        var expected = scored.GetColumn<float>("Probability").Take(PredictedRows).ToArray();
        var batch = ImpressionFile.Read(test).First();
        var predictions = new List<DemoPrediction>();
        for (int r = 0; r < Math.Min(PredictedRows, batch.Count); r++)
        {
            var prediction = engine.Predict(ImpressionInput.From(batch, r));
            predictions.Add(new DemoPrediction(name, batch.UserId[r], batch.ItemId[r], batch.Click[r], expected[r], prediction.Probability));
        }
        return predictions;
    }

    private static string Slug(string name) => name.ToLowerInvariant().Replace(" + ", "-", StringComparison.Ordinal).Replace(' ', '-');
}
