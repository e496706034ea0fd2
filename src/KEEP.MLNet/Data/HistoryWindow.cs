namespace KEEP.MLNet.Data;

/// <summary>
/// The fixed-length view of a behaviour sequence that models use: the most recent behaviours, right-aligned
/// (most recent in the last slot), padding 0 on the left.
/// </summary>
public static class HistoryWindow
{
    /// <summary>Fills <paramref name="slots"/> from <paramref name="history"/>; returns how many behaviours did not fit.</summary>
    public static int Fill(ReadOnlySpan<int> history, Span<int> slots)
    {
        int keep = Math.Min(history.Length, slots.Length), skip = history.Length - keep;
        slots[..^keep].Clear();
        history[skip..].CopyTo(slots[^keep..]);
        return skip;
    }
}
