namespace KEEP.MLNet.Plugin;

/// <summary>
/// The names of the three columns a binary classifier adds — ML.NET's <c>Score</c>, <c>Probability</c> and
/// <c>PredictedLabel</c> by default. Give other names to stack two classifiers in one pipeline.
/// </summary>
/// <param name="ScoreColumnName">The logit column.</param>
/// <param name="ProbabilityColumnName">The calibrated probability column.</param>
/// <param name="PredictedLabelColumnName">The Boolean column, probability &gt; 0.5.</param>
public sealed record ScoreColumnNames(
    string ScoreColumnName = KeepDnnColumns.Score,
    string ProbabilityColumnName = KeepDnnColumns.Probability,
    string PredictedLabelColumnName = KeepDnnColumns.PredictedLabel)
{
    /// <summary>ML.NET's names.</summary>
    public static ScoreColumnNames Default { get; } = new();

    /// <summary>The three names in the order Score, Probability, PredictedLabel.</summary>
    internal string[] All => [ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName];

    /// <summary>Throws <see cref="ArgumentException"/> for an empty or repeated name.</summary>
    internal void Validate()
    {
        foreach (var name in All)
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Score, probability and predicted-label column names must not be empty.");
        if (All.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException($"Score, probability and predicted-label columns need three different names (got '{ScoreColumnName}', '{ProbabilityColumnName}', '{PredictedLabelColumnName}').");
    }
}
