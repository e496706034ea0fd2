using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Docs;

/// <summary>The C# of docs/api.md, compiled and run by <see cref="DocsTests"/>.</summary>
internal static class ApiGuideSample
{
    public static (float[] Knowledge, double Auc) Run(string folder)
    {
        var world = TestWorlds.Tiny;
        string superPath = world.Files[DatasetSplit.Super], subTrainPath = world.Files[DatasetSplit.SubTrain];
        string zipPath = Path.Combine(folder, "keep-rok-dnn.zip");
        // sample:rok:begin
        var mlContext = new MLContext(seed: 1);

        // Stage 1: KEEP knowledge and ROK knowledge, both learnt on the super-domain.
        using var keep = new KeepPretrainer().Fit(() => ImpressionFile.Read(superPath));
        using var rok = new RokTrainer().Fit(() => ImpressionFile.Read(superPath));

        // Stage 2: a KEEP DNN with both plugged in, side by side; the zip carries both networks.
        var train = ImpressionFile.Load(subTrainPath, historyLength: 50);
        var knowledge = new CombinedKnowledge(new ExactKnowledge(keep), new RokKnowledge(rok.Model));
        using var model = mlContext.BinaryClassification.Trainers.KeepDnn(new KeepDnnOptions(), knowledge).Fit(train);
        mlContext.Model.Save(model, train.Schema, zipPath);

        // ROK's columns for any other pipeline: ROK (instance-wise) and ROK_fields (feature-wise).
        var withRok = mlContext.Transforms.RokKnowledge(rok.Model).Fit(train).Transform(train);
        // sample:rok:end
        // sample:plugin:begin
        var fastTree = mlContext.BinaryClassification.Trainers.FastTree(labelColumnName: "Click");
        var trees = BaseFeatures.Estimator(mlContext, hashBits: 10)
            .Append(mlContext.BinaryClassification.Trainers.KeepPlugin(fastTree, keep,
                new KnowledgePluginOptions { Rok = new RokKnowledgeOptions { Model = rok.Model } }))
            .Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(trees.Transform(train), labelColumnName: "Click");
        // sample:plugin:end
        return (withRok.GetColumn<float[]>("ROK").First(), metrics.AreaUnderRocCurve);
    }
}
