namespace KEEP.MLNet.Experiments;

/// <summary>One model's quality on the sub-domain test days, for one seed.</summary>
/// <param name="Table">The paper table this row mirrors, e.g. "Table 2".</param>
/// <param name="Variant">The model, e.g. "KEEP DNN".</param>
/// <param name="Seed">The world and training seed.</param>
/// <param name="Gauc">Group AUC by user.</param>
/// <param name="Auc">Overall AUC.</param>
/// <param name="Groups">Users with both classes.</param>
/// <param name="Seconds">Training time.</param>
/// <param name="Buckets">GAUC per user-sparsity bucket (label → GAUC).</param>
/// <param name="Details">Other measurements of the variant, e.g. cached entries and fit for Table 8.</param>
public sealed record ExperimentResult(string Table, string Variant, int Seed, double Gauc, double Auc, long Groups, double Seconds,
    IReadOnlyDictionary<string, double> Buckets, IReadOnlyDictionary<string, double>? Details = null);
