namespace KEEP.MLNet.Retrieval;

/// <summary>Progress of ROK training.</summary>
/// <param name="Stage">"index", "teacher" or "distillation".</param>
/// <param name="Rows">Rows done in this stage (over all its epochs).</param>
/// <param name="TotalRows">Rows the stage will do; 0 when unknown.</param>
/// <param name="Loss">Mean loss over the most recent steps (NaN before the first window, and while indexing).</param>
public readonly record struct RokProgress(string Stage, long Rows, long TotalRows, double Loss);
