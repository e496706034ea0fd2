namespace KEEP.MLNet.Data;

/// <summary>Progress of long work over rows: how many are done out of about how many.</summary>
/// <param name="Done">Rows (or events) processed so far.</param>
/// <param name="Total">Expected total; an estimate where the exact number is not known in advance.</param>
public readonly record struct RowProgress(long Done, long Total);
