using System.IO.MemoryMappedFiles;
using System.Text;

namespace KEEP.MLNet.Serving;

/// <summary>
/// One table file of the file store, memory-mapped read-only: a 32-byte header (magic, kind, dimension,
/// count), the sorted ids (int64) and the vectors (float32, row-major). Lookups binary-search the ids in
/// the mapping, so opening costs nothing and the OS page cache is shared by every process that reads it.
/// </summary>
internal sealed unsafe class MappedKnowledgeTable : IDisposable
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("KEEPKNW1");
    private const int HeaderBytes = 32;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long _count;
    private readonly byte* _base;

    private MappedKnowledgeTable(MemoryMappedFile file, MemoryMappedViewAccessor view, int dimension, long count)
    {
        _file = file;
        _view = view;
        Dimension = dimension;
        _count = count;
        if (count > int.MaxValue) throw new InvalidDataException($"{count} entries exceed one table's limit of {int.MaxValue}.");
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
    }

    private ReadOnlySpan<long> Ids => new(_base + HeaderBytes, (int)_count);

    public int Dimension { get; }

    public static void Write(string path, KnowledgeTable table)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new BinaryWriter(stream);
        writer.Write(Magic);
        writer.Write((int)table.Kind);
        writer.Write(table.Dimension);
        writer.Write((long)table.Count);
        writer.Write(0L);
        foreach (long id in table.Ids) writer.Write(id);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(table.Values.AsSpan()));
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    public static MappedKnowledgeTable Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length < HeaderBytes) throw new InvalidDataException($"{path}: {length} bytes is too short for a knowledge table.");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        var magic = new byte[Magic.Length];
        view.ReadArray(0, magic, 0, magic.Length);
        int dimension = view.ReadInt32(12);
        long count = view.ReadInt64(16);
        if (!magic.AsSpan().SequenceEqual(Magic) || dimension <= 0 || count < 0 || length != HeaderBytes + count * 8 + count * dimension * 4)
        {
            view.Dispose();
            file.Dispose();
            throw new InvalidDataException($"{path}: not a KEEP knowledge table, or truncated ({length} bytes).");
        }
        return new MappedKnowledgeTable(file, view, dimension, count);
    }

    /// <summary>Copies the vector of <paramref name="id"/> into <paramref name="destination"/>; false (and zeros) when absent.</summary>
    public bool TryRead(long id, Span<float> destination)
    {
        int index = Ids.BinarySearch(id);
        if (index < 0)
        {
            destination[..Dimension].Clear();
            return false;
        }
        new ReadOnlySpan<float>(_base + HeaderBytes + _count * 8 + (long)index * Dimension * 4, Dimension).CopyTo(destination);
        return true;
    }

    /// <summary>A copy of the whole table.</summary>
    public KnowledgeTable ToTable(KnowledgeTableKind kind)
        => new(kind, Dimension, Ids.ToArray(), new ReadOnlySpan<float>(_base + HeaderBytes + _count * 8, checked((int)(_count * Dimension))).ToArray());

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
