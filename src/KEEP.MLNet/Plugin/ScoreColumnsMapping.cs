using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// Turns the exported network's [1]-vector logit into the scalar <c>Score</c>, <c>Probability</c> and
/// <c>PredictedLabel</c> of an ML.NET binary classifier. ML.NET's ONNX transformer gives every tensor output
/// as a vector (it cannot read rank-0 outputs), so a saved KEEP DNN is the ONNX transformer followed by this
/// registered custom mapping; loading it needs <c>mlContext.ComponentCatalog.RegisterAssembly</c> for this
/// assembly, which <see cref="KeepModel.Load"/> does.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ScoreColumnsMapping : CustomMappingFactory<ScoreColumnsMapping.Logit, KeepDnnOutput>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "KEEP.MLNet.ScoreColumns";

    /// <summary>The column the exported network writes its logit to.</summary>
    public const string LogitColumn = "KeepLogit";

    /// <summary>The input of the mapping.</summary>
    public sealed class Logit
    {
        /// <summary>The logit as ML.NET's ONNX transformer gives it.</summary>
        [ColumnName(LogitColumn), VectorType(1)] public float[] Value { get; set; } = [0f];
    }

    /// <summary>The mapping: Score = logit, Probability = σ(logit), PredictedLabel = Probability &gt; 0.5.</summary>
    public static void Map(Logit input, KeepDnnOutput output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        (output.Score, output.Probability, output.PredictedLabel) = Scores(input);
    }

    /// <summary>Score, probability and predicted label of a logit (both mappings' one function).</summary>
    internal static (float Score, float Probability, bool PredictedLabel) Scores(Logit input)
    {
        float score = input.Value[0], probability = KeepDnnColumns.Sigmoid(score);
        return (score, probability, probability > 0.5f);
    }

    /// <inheritdoc/>
    public override Action<Logit, KeepDnnOutput> GetMapping() => Map;

    /// <summary>The estimator that applies the mapping.</summary>
    internal static IEstimator<ITransformer> Estimator(MLContext mlContext) => mlContext.Transforms.CustomMapping<Logit, KeepDnnOutput>(Map, ContractName);
}
