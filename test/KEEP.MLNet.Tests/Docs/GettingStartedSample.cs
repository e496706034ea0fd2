using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Tests.Docs;

/// <summary>The C# of docs/getting-started.md, compiled and run by <see cref="DocsTests"/>.</summary>
internal static class GettingStartedSample
{
    public static (GaucMetrics Metrics, float Probability) Run(string folder)
    {
        // sample:begin
        var mlContext = new MLContext(seed: 1);
        var world = DatasetGenerator.Generate(WorldOptions.Preset("tiny"), Path.Combine(folder, "data"));

        // Stage 1: pre-train the knowledge model on the super-domain.
        using var knowledge = new KeepPretrainer().Fit(() => ImpressionFile.Read(world.Files[DatasetSplit.Super]));

        // Stage 2: a KEEP DNN for the sub-domain, with the knowledge plugged in.
        var train = ImpressionFile.Load(world.Files[DatasetSplit.SubTrain], historyLength: 50);
        var test = ImpressionFile.Load(world.Files[DatasetSplit.SubTest], historyLength: 50);
        using var model = mlContext.BinaryClassification.Trainers.KeepDnn(knowledge: knowledge).Fit(train);
        var metrics = mlContext.BinaryClassification.EvaluateGauc(model.Transform(test), labelColumnName: "Click");
        Console.WriteLine($"GAUC {metrics.Gauc:F4}, AUC {metrics.Auc:F4}");

        // Save, load anywhere, predict one impression.
        string zip = Path.Combine(folder, "keep-dnn.zip");
        mlContext.Model.Save(model, train.Schema, zip);
        var loaded = KeepModel.Load(new MLContext(), zip, out _);
        using var engine = mlContext.Model.CreatePredictionEngine<ImpressionInput, KeepDnnOutput>(loaded);
        var input = ImpressionInput.Create(userId: 42, itemId: 7, shopId: 3, categoryId: 5,
            historyItems: [11, 12], historyShops: [3, 4], historyCategories: [5, 6]);
        Console.WriteLine($"P(click) = {engine.Predict(input).Probability:F4}");
        // sample:end
        return (metrics, engine.Predict(input).Probability);
    }
}
