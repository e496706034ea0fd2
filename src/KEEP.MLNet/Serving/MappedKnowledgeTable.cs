using System.IO.MemoryMappedFiles;
using System.Text;

namespace KEEP.MLNet.Serving;

/// <summary>
/// One table file of the file store, memory-mapped read-only: a 32-byte header (magic, kind, dimension,
/// count), the sorted ids (int64) and the vectors (float32, row-major). Lookups binary-search the ids in
/// the mapping, so opening costs nothing and the OS page cache is shared by every process that reads it.
/// </summary>
internal sealed class MappedKnowledgeTable : IDisposable
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("KEEPKNW1");
    private const int HeaderBytes = 32;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long _count;

    private MappedKnowledgeTable(MemoryMappedFile file, MemoryMappedViewAccessor view, int dimension, long count)
    {
        _file = file;
        _view = view;
        Dimension = dimension;
        _count = count;
    }

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
        long low = 0, high = _count - 1;
        while (low <= high)
        {
            long middle = low + ((high - low) >> 1);
            long value = _view.ReadInt64(HeaderBytes + middle * 8);
            if (value == id)
            {
                long offset = HeaderBytes + _count * 8 + middle * Dimension * 4;
                for (int d = 0; d < Dimension; d++) destination[d] = _view.ReadSingle(offset + d * 4L);
                return true;
            }
            if (value < id) low = middle + 1;
            else high = middle - 1;
        }
        destination[..Dimension].Clear();
        return false;
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
