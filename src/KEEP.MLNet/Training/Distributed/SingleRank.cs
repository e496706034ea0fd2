namespace KEEP.MLNet.Training.Distributed;

/// <summary>A job of one rank: every collective returns this rank's own values. Lets code written for a job run in one process.</summary>
public sealed class SingleRank : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleRank Instance { get; } = new();

    private SingleRank() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void SumInPlace<T>(T[] values) where T : unmanaged => ArgumentNullException.ThrowIfNull(values);

    /// <inheritdoc/>
    public T[] AllGather<T>(T[] mine, out int[] counts) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(mine);
        counts = [mine.Length];
        return [.. mine];
    }

    /// <inheritdoc/>
    public T[]? Gather<T>(T[] mine, int root) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);
        return [.. mine];
    }

    /// <inheritdoc/>
    public T[] AllToAll<T>(T[] send, int[] sendCounts, out int[] receiveCounts) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(sendCounts);
        if (sendCounts.Length != 1 || sendCounts[0] != send.Length) throw new ArgumentException($"One rank: one send count, the length of the values ({send.Length}).", nameof(sendCounts));
        receiveCounts = [send.Length];
        return [.. send];
    }

    /// <inheritdoc/>
    public void Barrier() { }
}
