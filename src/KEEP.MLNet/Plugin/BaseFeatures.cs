using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The downstream model's own features for ML.NET trainers, before any knowledge: one-hot hashed user,
/// item, shop and category ids in one <c>Features</c> vector. Labels are left alone: give the trainer
/// <c>LabelColumnName = "Click"</c> (or Cart, Conversion for the paper's Table 5), so a saved model needs no
/// label column at prediction time.
/// </summary>
public static class BaseFeatures
{
    /// <summary>The featurizer.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="hashBits">Bits of each id's hash (2^bits slots per id).</param>
    /// <param name="columns">Input column names.</param>
    public static IEstimator<ITransformer> Estimator(MLContext mlContext, int hashBits = 14, ImpressionColumnNames? columns = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        columns ??= new ImpressionColumnNames();
        var ids = columns.IdColumns;
        var hashed = ids.Select(c => new InputOutputColumnPair("Hashed" + c, c)).ToArray();
        return mlContext.Transforms.Conversion.ConvertType(ids.Select(c => new InputOutputColumnPair("Text" + c, c)).ToArray(), DataKind.String)
            .Append(mlContext.Transforms.Categorical.OneHotHashEncoding(ids.Select(c => new InputOutputColumnPair("Hashed" + c, "Text" + c)).ToArray(), numberOfBits: hashBits))
            .Append(mlContext.Transforms.Concatenate("Features", hashed.Select(p => p.OutputColumnName).ToArray()));
    }
}
