using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Cli.Demo;

/// <summary>One downstream model of the demo: its quality on the sub-domain test days and where it was saved.</summary>
internal sealed record DemoModel(string Name, bool WithKnowledge, double Gauc, double Auc, double LogLoss, long Users, double TrainSeconds, string Zip,
    IReadOnlyDictionary<string, double> GaucByActivity, IReadOnlyList<double>? Losses);

/// <summary>A row predicted by a model reloaded from its zip with <c>PredictionEngine</c>, next to the in-memory score.</summary>
internal sealed record DemoPrediction(string Model, int UserId, int ItemId, bool Clicked, float InMemory, float Reloaded);

/// <summary>Everything the demo measured.</summary>
internal sealed record DemoResults(WorldOptions World, GeneratedDataset Dataset, string KnowledgeModel, double PretrainingSeconds, long PretrainingRows,
    double ExtractionRowsPerSecond, IReadOnlyList<DemoModel> Models, IReadOnlyList<DemoPrediction> Predictions, string Report, double Seconds)
{
    /// <summary>The PNG charts written next to the report.</summary>
    public IReadOnlyList<string> Charts { get; init; } = [];
    /// <summary>Each model with knowledge against its twin without, paired over the test users.</summary>
    public IReadOnlyList<DemoComparison> Comparisons { get; init; } = [];
}

/// <summary>GAUC(model) − GAUC(reference) on the same test rows with its paired user-bootstrap 95% interval.</summary>
internal sealed record DemoComparison(string Model, string Reference, double Difference, double StandardError, double Low, double High, int Users)
{
    public static DemoComparison Of(string model, string reference, KEEP.MLNet.Evaluation.GaucComparison comparison)
        => new(model, reference, comparison.Difference, comparison.StandardError,
            comparison.Difference - 1.96 * comparison.StandardError, comparison.Difference + 1.96 * comparison.StandardError, comparison.Groups);

    /// <summary>What the interval says, in words.</summary>
    public string Verdict => Low > 0 ? "resolved: the knowledge helps" : High < 0 ? "resolved: the knowledge hurts" : "not resolved: the interval includes 0";
}
