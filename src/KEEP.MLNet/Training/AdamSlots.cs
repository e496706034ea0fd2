using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>
/// Adam's state by parameter name — each parameter's step count and first and second moments — as a training run
/// ended with it. A model keeps it so that its next day of training continues the same optimizer, as a production
/// trainer restoring its checkpoint's slots does, instead of starting Adam afresh (whose first steps move every
/// parameter by about the learning rate, whatever it has learnt). By name, so a network that gained parameters
/// (a plug-in added to a running model) keeps the old parameters' state and starts the new ones at zero.
/// </summary>
internal sealed class AdamSlots : IDisposable
{
    private const int FormatVersion = 1;

    /// <summary>The optional part of a model archive that holds the state the model's next training run continues.</summary>
    public const string Entry = "optimizer-state.bin";
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>One parameter's state: its Adam step count and its moments (shaped as the parameter).</summary>
    internal sealed record Slot(long Step, Tensor Mean, Tensor Square);

    /// <summary>Parameters with a state.</summary>
    public int Count => _slots.Count;

    /// <summary>The parameters' names, in the order they were added.</summary>
    public IEnumerable<string> Names => _slots.Keys;

    /// <summary>Adds a copy of one parameter's state.</summary>
    public void Add(string name, long step, Tensor mean, Tensor square)
    {
        if (!mean.shape.SequenceEqual(square.shape)) throw new ArgumentException($"The moments of '{name}' differ in shape.", nameof(square));
        _slots.Add(name, new Slot(step, Copy(mean), Copy(square)));
    }

    /// <summary>The state of <paramref name="name"/> when one of the same shape is held.</summary>
    public bool TryGet(string name, long[] shape, out Slot slot)
        => _slots.TryGetValue(name, out slot!) && slot.Mean.shape.SequenceEqual(shape);

    private static Tensor Copy(Tensor tensor)
    {
        using var _ = no_grad();
        return tensor.detach().to(float32).clone().DetachFromDisposeScope();
    }

    /// <summary>Writes the state: names, steps, shapes and the moments' floats.</summary>
    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(FormatVersion);
        writer.Write(_slots.Count);
        foreach (var (name, slot) in _slots)
        {
            writer.Write(name);
            writer.Write(slot.Step);
            writer.Write(slot.Mean.shape.Length);
            foreach (long d in slot.Mean.shape) writer.Write(d);
            WriteFloats(writer, slot.Mean);
            WriteFloats(writer, slot.Square);
        }
    }

    /// <summary>Adds <paramref name="slots"/>, when there are any, to an archive being written.</summary>
    public static void WriteTo(System.IO.Compression.ZipArchive zip, AdamSlots? slots)
    {
        if (slots != null) Data.Formats.CheckpointArchive.Write(zip, Entry, slots.Write);
    }

    /// <summary>The state an archive holds; null when it holds none.</summary>
    public static AdamSlots? ReadFrom(System.IO.Compression.ZipArchive zip)
        => zip.GetEntry(Entry) == null ? null : Data.Formats.CheckpointArchive.Read(zip, Entry, Read);

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static AdamSlots Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        int version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"optimizer state format {version}; this KEEP.MLNet reads format {FormatVersion}");
        var slots = new AdamSlots();
        try
        {
            int count = reader.ReadInt32();
            if (count < 0) throw new InvalidDataException($"optimizer state of {count} parameters");
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                long step = reader.ReadInt64();
                int rank = reader.ReadInt32();
                if (rank is < 0 or > 8) throw new InvalidDataException($"optimizer state of '{name}' has rank {rank}");
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                using var mean = ReadFloats(reader, shape, name);
                using var square = ReadFloats(reader, shape, name);
                slots.Add(name, step, mean, square);
            }
            return slots;
        }
        catch
        {
            slots.Dispose();
            throw;
        }
    }

    private static void WriteFloats(BinaryWriter writer, Tensor tensor)
        => writer.Write(MemoryMarshal.AsBytes(tensor.contiguous().data<float>().ToArray().AsSpan()));

    private static Tensor ReadFloats(BinaryReader reader, long[] shape, string name)
    {
        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        var values = new float[checked((int)count)];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        for (int read = 0; read < bytes.Length;)
        {
            int n = reader.Read(bytes[read..]);
            if (n == 0) throw new InvalidDataException($"optimizer state of '{name}' ends early");
            read += n;
        }
        return tensor(values, shape);
    }

    /// <summary>Releases the moments.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Mean.Dispose();
            slot.Square.Dispose();
        }
        _slots.Clear();
    }
}

/// <summary>An optimizer whose state can be carried to the next run on the same (or a grown) network, by parameter name.</summary>
internal interface ICarriedOptimizer
{
    /// <summary>A copy of the state, by parameter name.</summary>
    AdamSlots Export();

    /// <summary>Takes the state of every parameter <paramref name="slots"/> holds with the same name and shape; returns how many.</summary>
    int Import(AdamSlots slots);
}
