namespace KEEP.MLNet.Training.Distributed;

/// <summary>
/// The processes (ranks) of one data-parallel training job and the collective operations they run together
/// (MPI's semantics: every rank calls the same operations in the same order). KEEP.MLNet.Mpi implements it on
/// MPI; a job of one rank needs none (leave the communicator null).
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 ≤ <see cref="Rank"/> &lt; <see cref="Size"/>.</summary>
    int Rank { get; }

    /// <summary>The number of ranks in the job.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks (MPI_Allreduce).</summary>
    void SumInPlace<T>(T[] values) where T : unmanaged;

    /// <summary>Every rank's <paramref name="mine"/>, concatenated in rank order, on every rank (MPI_Allgatherv); <paramref name="counts"/> are the ranks' lengths.</summary>
    T[] AllGather<T>(T[] mine, out int[] counts) where T : unmanaged;

    /// <summary>Every rank's <paramref name="mine"/> concatenated in rank order on <paramref name="root"/> (MPI_Gatherv); null on the other ranks.</summary>
    T[]? Gather<T>(T[] mine, int root) where T : unmanaged;

    /// <summary>
    /// Sends the first <paramref name="sendCounts"/>[0] values of <paramref name="send"/> to rank 0, the next
    /// <paramref name="sendCounts"/>[1] to rank 1, …, and returns what every rank sent this one, in rank order (MPI_Alltoallv).
    /// </summary>
    T[] AllToAll<T>(T[] send, int[] sendCounts, out int[] receiveCounts) where T : unmanaged;

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();
}
