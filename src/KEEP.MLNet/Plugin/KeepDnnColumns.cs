using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Plugin;

/// <summary>The columns a KEEP DNN adds, with the names and types of ML.NET's calibrated binary classifiers.</summary>
public static class KeepDnnColumns
{
    /// <summary>The logit.</summary>
    public const string Score = "Score";
    /// <summary>The predicted probability of the label.</summary>
    public const string Probability = "Probability";
    /// <summary>Probability &gt; 0.5.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The logistic function in single precision, as the ONNX export computes it (kept free of TorchSharp types, so scoring a loaded zip never loads them).</summary>
    internal static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));

    /// <summary>The input schema plus Score, Probability (Single) and PredictedLabel (Boolean) under <paramref name="names"/>, replacing input columns of those names.</summary>
    internal static DataViewSchema OutputSchema(DataViewSchema input, ScoreColumnNames names)
        => AddedColumns.Schema(input, (names.ScoreColumnName, NumberDataViewType.Single), (names.ProbabilityColumnName, NumberDataViewType.Single), (names.PredictedLabelColumnName, BooleanDataViewType.Instance));
}
