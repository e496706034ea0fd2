using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The score mapping of a KEEP DNN whose output columns were given other names (<see cref="ScoreColumnNames"/>):
/// it writes the three columns under names of its own, which the saved chain then copies to the requested names
/// and drops. Going through names of its own means an input column called <c>Score</c> (another model's, say)
/// survives a KEEP DNN that writes <c>DnnScore</c>. Models with ML.NET's names use <see cref="ScoreColumnsMapping"/>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class StagedScoreColumnsMapping : CustomMappingFactory<ScoreColumnsMapping.Logit, StagedScoreColumnsMapping.Scores>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "KEEP.MLNet.StagedScoreColumns";

    private const string StagedScore = "KeepStagedScore", StagedProbability = "KeepStagedProbability", StagedPredictedLabel = "KeepStagedPredictedLabel";

    /// <summary>The staged columns (copied to the requested names, then dropped).</summary>
    public sealed class Scores
    {
        /// <summary>The logit.</summary>
        [ColumnName(StagedScore)] public float Score { get; set; }
        /// <summary>σ(logit).</summary>
        [ColumnName(StagedProbability)] public float Probability { get; set; }
        /// <summary>Probability &gt; 0.5.</summary>
        [ColumnName(StagedPredictedLabel)] public bool PredictedLabel { get; set; }
    }

    /// <summary>The mapping, the same function as <see cref="ScoreColumnsMapping.Map"/>.</summary>
    public static void Map(ScoreColumnsMapping.Logit input, Scores output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        (output.Score, output.Probability, output.PredictedLabel) = ScoreColumnsMapping.Scores(input);
    }

    /// <inheritdoc/>
    public override Action<ScoreColumnsMapping.Logit, Scores> GetMapping() => Map;

    /// <summary>The mapping, the copies to <paramref name="names"/> and the drop of the staged and logit columns.</summary>
    internal static IEstimator<ITransformer> Estimator(MLContext mlContext, ScoreColumnNames names)
    {
        string[] staged = [StagedScore, StagedProbability, StagedPredictedLabel];
        IEstimator<ITransformer> chain = mlContext.Transforms.CustomMapping<ScoreColumnsMapping.Logit, Scores>(Map, ContractName);
        foreach (var (output, input) in names.All.Zip(staged))
            chain = chain.Append(mlContext.Transforms.CopyColumns(output, input));
        return chain.Append(mlContext.Transforms.DropColumns([.. staged, ScoreColumnsMapping.LogitColumn]));
    }
}
