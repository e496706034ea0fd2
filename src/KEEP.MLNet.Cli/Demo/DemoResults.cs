using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Cli.Demo;

/// <summary>One downstream model of the demo: its quality on the sub-domain test day and where it was saved.</summary>
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
}
