using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KEEP.MLNet.Training.Distributed;

namespace KEEP.MLNet.Mpi;

/// <summary>
/// The ranks of a job started by <c>mpiexec</c>, on MPI through MPI.NET with MPICH (Debian's <c>mpich</c> package:
/// <c>libmpich.so.12</c>; Open MPI is not supported, its handles are pointers while MPI.NET's constants are MPICH's).
/// Create one per process, before any training, with <see cref="Start"/>; dispose it at the end (MPI_Finalize).
/// Collective calls must come from one thread at a time (MPI_THREAD_SERIALIZED).
/// </summary>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    /// <summary>MPICH's shared library, which MPI.NET (built for MS-MPI's <c>msmpi.dll</c>) is pointed at.</summary>
    public const string NativeLibraryName = "libmpich.so.12";

    private static int _resolverSet;
    private long _allreduceBytes, _allToAllBytes, _gatherBytes, _collectives;
    private readonly System.Diagnostics.Stopwatch _inCollectives = new();
    private readonly MPI.Environment _environment;
    private readonly MPI.Intracommunicator _world;

    private MpiCommunicator(MPI.Environment environment)
    {
        _environment = environment;
        _world = MPI.Communicator.world;
    }

    /// <summary>
    /// The number of ranks <c>mpiexec</c> started this process among (MPICH's <c>PMI_SIZE</c>), or 0 when it was not
    /// started by <c>mpiexec</c>. Reading it needs no MPI installed.
    /// </summary>
    public static int LaunchedRanks => int.TryParse(System.Environment.GetEnvironmentVariable("PMI_SIZE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int size) ? size : 0;

    /// <summary>Ranks of this job on this machine (MPICH's <c>MPI_LOCALNRANKS</c>; 1 when unknown), to share its cores.</summary>
    public static int LocalRanks => int.TryParse(System.Environment.GetEnvironmentVariable("MPI_LOCALNRANKS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int local) && local > 0 ? local : 1;

    /// <summary>Initialises MPI in this process (once per process) and joins the job's world communicator.</summary>
    /// <exception cref="DllNotFoundException">MPICH is not installed (<c>apt-get install mpich</c>).</exception>
    public static MpiCommunicator Start()
    {
        if (Interlocked.Exchange(ref _resolverSet, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(MPI.Environment).Assembly, Resolve);
        string[] args = [];
        try
        {
            return new MpiCommunicator(new MPI.Environment(ref args, MPI.Threading.Serialized));
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException($"MPI is not available: {NativeLibraryName} (MPICH) could not be loaded; install it (Debian: apt-get install mpich) and start the job with mpiexec. {e.Message}", e);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name.Contains("mpi", StringComparison.OrdinalIgnoreCase) ? NativeLibrary.Load(NativeLibraryName) : IntPtr.Zero;

    /// <inheritdoc/>
    public int Rank => _world.Rank;

    /// <inheritdoc/>
    public int Size => _world.Size;

    /// <inheritdoc/>
    public void SumInPlace<T>(T[] values) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = new T[values.Length];
        _allreduceBytes += (long)values.Length * Unsafe.SizeOf<T>();
        using (Timed()) _world.Allreduce(values, MPI.Operation<T>.Add, ref sum);
        sum.CopyTo(values, 0);
    }

    /// <inheritdoc/>
    public T[] AllGather<T>(T[] mine, out int[] counts) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(mine);
        using var _ = Timed();
        counts = _world.Allgather(mine.Length);
        _gatherBytes += (long)mine.Length * Unsafe.SizeOf<T>() * (Size - 1);
        return _world.AllgatherFlattened(mine, counts);
    }

    /// <inheritdoc/>
    public T[]? Gather<T>(T[] mine, int root) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(mine);
        using var _ = Timed();
        var counts = _world.Gather(mine.Length, root);
        if (Rank != root) _gatherBytes += (long)mine.Length * Unsafe.SizeOf<T>();
        var all = _world.GatherFlattened(mine, counts ?? new int[Size], root);
        return Rank == root ? all : null;
    }

    /// <inheritdoc/>
    public T[] AllToAll<T>(T[] send, int[] sendCounts, out int[] receiveCounts) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(sendCounts);
        if (sendCounts.Length != Size) throw new ArgumentException($"{sendCounts.Length} send counts for {Size} ranks.", nameof(sendCounts));
        using var _ = Timed();
        receiveCounts = _world.Alltoall(sendCounts);
        _allToAllBytes += (long)(sendCounts.Sum() - sendCounts[Rank]) * Unsafe.SizeOf<T>();
        var received = new T[receiveCounts.Sum()];
        _world.AlltoallFlattened(send, sendCounts, receiveCounts, ref received);
        return received;
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        using var _ = Timed();
        _world.Barrier();
    }

    /// <summary>Counts a collective and times it until disposed.</summary>
    private Timing Timed()
    {
        _collectives++;
        _inCollectives.Start();
        return new Timing(_inCollectives);
    }

    private readonly struct Timing(System.Diagnostics.Stopwatch clock) : IDisposable
    {
        public void Dispose() => clock.Stop();
    }

    /// <summary>
    /// What this rank has sent other ranks so far, by kind: all-to-all bytes addressed to other ranks (embedding ids,
    /// rows and row gradients); gathered bytes (its values times the ranks that receive them: logits, whole tables at
    /// checkpoints); the payload of its sums (dense gradients; a ring all-reduce moves about 2(N−1)/N of it each way);
    /// the collective calls and the time spent in them (exchanging and waiting for the slowest rank).
    /// </summary>
    public MpiTraffic Traffic => new(_allToAllBytes, _gatherBytes, _allreduceBytes, _collectives, _inCollectives.Elapsed.TotalSeconds);

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (MPI_Abort): a failed rank must not leave the others waiting in a collective.</summary>
    public void Abort(int exitCode) => _world.Abort(exitCode);

    /// <summary>Finalises MPI.</summary>
    public void Dispose() => _environment.Dispose();
}

/// <summary>Bytes a rank has sent, by kind of collective (see <see cref="MpiCommunicator.Traffic"/>).</summary>
/// <param name="AllToAllBytes">All-to-all bytes addressed to other ranks.</param>
/// <param name="GatherBytes">Gathered bytes, counted once per receiving rank.</param>
/// <param name="SumPayloadBytes">The payload of all-reduce sums.</param>
/// <param name="Collectives">Collective calls (each all-to-all and gather counts as one, with its exchange of counts).</param>
/// <param name="Seconds">Time spent in collective calls: exchanging, and waiting for the other ranks.</param>
public sealed record MpiTraffic(long AllToAllBytes, long GatherBytes, long SumPayloadBytes, long Collectives, double Seconds);
