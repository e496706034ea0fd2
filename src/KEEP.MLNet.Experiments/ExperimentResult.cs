namespace KEEP.MLNet.Experiments;

/// <summary>One model's quality on the sub-domain test days, for one seed.</summary>
/// <param name="Table">The paper table this row mirrors, e.g. "Table 2".</param>
/// <param name="Variant">The model, e.g. "KEEP DNN".</param>
/// <param name="Seed">The world's seed (and the training seed of training run 0).</param>
/// <param name="Gauc">Group AUC by user.</param>
/// <param name="Auc">Overall AUC.</param>
/// <param name="Groups">Users with both classes.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="Buckets">GAUC per user-sparsity bucket (label → GAUC).</param>
/// <param name="Details">Other measurements of the variant, e.g. cached entries and fit for Table 8.</param>
public sealed record ExperimentResult(string Table, string Variant, int Seed, double Gauc, double Auc, long Groups, double Seconds,
    IReadOnlyDictionary<string, double> Buckets, IReadOnlyDictionary<string, double>? Details = null)
{
    /// <summary>
    /// Which training run on the world this is: 0 trains with the world's seed; run t &gt; 0 retrains every model of
    /// Tables 2–5 on the same world with seed <see cref="PaperExperiment.TrainingSeedOf"/>, which separates the
    /// trainings' variance from the worlds'.
    /// </summary>
    public int TrainingRun { get; init; }
}
