using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// The ML.NET trainers KEEP's commands and experiments offer for the sub-domain — FastTree, LightGbm and
/// SDCA logistic regression — each on the hashed id features (<see cref="BaseFeatures"/>), with KEEP knowledge,
/// ROK knowledge or both plugged in when given.
/// </summary>
public static class DownstreamPipelines
{
    /// <summary>The trainer names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Trainers { get; } = ["fasttree", "lightgbm", "sdca"];

    /// <summary>
    /// LightGbm copies rows × features into one dense buffer indexed by Int32: 4 ids × 2^10 hashed slots keeps
    /// it under 2^31 entries on the paper-size worlds (2^14 overflowed at 200k rows).
    /// </summary>
    public const int LightGbmHashBits = 10;

    /// <summary>Featurizer + trainer (+ knowledge plug-in).</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="trainer">fasttree, lightgbm or sdca.</param>
    /// <param name="label">The label column, e.g. Click.</param>
    /// <param name="seed">The trainer's seed.</param>
    /// <param name="knowledge">A knowledge model to plug in; null for the base model.</param>
    /// <param name="hashBits">Hashed slots per id (LightGbm uses at most <see cref="LightGbmHashBits"/>).</param>
    /// <param name="trees">FastTree: number of trees.</param>
    /// <param name="leaves">FastTree: leaves per tree.</param>
    /// <param name="rok">ROK knowledge to plug in (beside KEEP's when <paramref name="knowledge"/> is given too); null: none.</param>
    public static IEstimator<ITransformer> Create(MLContext mlContext, string trainer, string label, int seed, PretrainedModel? knowledge,
        int hashBits = 14, int trees = 100, int leaves = 20, RokKnowledgeOptions? rok = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var trainers = mlContext.BinaryClassification.Trainers;
        var features = BaseFeatures.Estimator(mlContext, trainer == "lightgbm" ? Math.Min(hashBits, LightGbmHashBits) : hashBits);
        return trainer switch
        {
            "fasttree" => features.Append(Plug(trainers, trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
                { LabelColumnName = label, NumberOfTrees = trees, NumberOfLeaves = leaves, Seed = seed }), knowledge, rok)),
            "lightgbm" => features.Append(Plug(trainers, trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer.Options
                { LabelColumnName = label, Seed = seed }), knowledge, rok)),
            "sdca" => features.Append(Plug(trainers, trainers.SdcaLogisticRegression(labelColumnName: label), knowledge, rok)),
            _ => throw new ArgumentException($"Unknown trainer '{trainer}'; use {string.Join(", ", Trainers)}.", nameof(trainer)),
        };
    }

    private static IEstimator<ITransformer> Plug<TModel>(BinaryClassificationCatalog.BinaryClassificationTrainers trainers,
        ITrainerEstimator<ISingleFeaturePredictionTransformer<TModel>, TModel> trainer, PretrainedModel? knowledge, RokKnowledgeOptions? rok)
        where TModel : class
        => (knowledge, rok) switch
        {
            (null, null) => trainer,
            (null, _) => trainers.KeepPlugin(trainer, rok),
            _ => trainers.KeepPlugin(trainer, knowledge, new KnowledgePluginOptions { Rok = rok }),
        };
}
