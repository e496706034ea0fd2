using System.Runtime.InteropServices;

namespace KEEP.MLNet.Data.Import;

/// <summary>
/// Spreads events over a fixed number of temporary bucket files by user, then hands back one bucket at a
/// time sorted by (user, time, input order). Memory is bounded by the largest bucket, so logs far larger
/// than memory can be regrouped per user whatever their order on disk.
/// </summary>
internal sealed class UserBucketSpill : IDisposable
{
    private readonly string _folder;
    private readonly BinaryWriter[] _writers;
    private readonly long[] _counts;
    private readonly byte[] _record = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<RawEvent>()];

    public UserBucketSpill(string folder, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        _folder = Directory.CreateDirectory(folder).FullName;
        _writers = new BinaryWriter[buckets];
        _counts = new long[buckets];
        for (int b = 0; b < buckets; b++)
            _writers[b] = new BinaryWriter(new FileStream(BucketPath(b), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
    }

    public long Count { get; private set; }

    public void Add(RawEvent e)
    {
        e.Sequence = Count++;
        int bucket = (int)((uint)e.User * 2654435761u % (uint)_writers.Length);
        MemoryMarshal.Write(_record, in e);
        _writers[bucket].Write(_record);
        _counts[bucket]++;
    }

    /// <summary>Each bucket's events, sorted; buckets come in a fixed order.</summary>
    public IEnumerable<RawEvent[]> SortedBuckets()
    {
        foreach (var writer in _writers) writer.Dispose();
        for (int b = 0; b < _writers.Length; b++)
        {
            var events = new RawEvent[_counts[b]];
            using (var stream = File.OpenRead(BucketPath(b)))
                stream.ReadExactly(MemoryMarshal.AsBytes(events.AsSpan()));
            File.Delete(BucketPath(b));
            Array.Sort(events, RawEvent.Compare);
            yield return events;
        }
    }

    private string BucketPath(int bucket) => Path.Combine(_folder, $"bucket-{bucket:D4}.bin");

    public void Dispose()
    {
        foreach (var writer in _writers) writer.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
