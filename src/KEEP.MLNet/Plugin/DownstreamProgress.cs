namespace KEEP.MLNet.Plugin;

/// <summary>Progress of downstream training.</summary>
/// <param name="Rows">Rows trained on so far, over all epochs.</param>
/// <param name="TotalRows">Rows expected over all epochs; 0 when unknown (continued training without a count).</param>
/// <param name="Loss">Mean loss over the most recent steps (NaN before the first window).</param>
public readonly record struct DownstreamProgress(long Rows, long TotalRows, double Loss);
