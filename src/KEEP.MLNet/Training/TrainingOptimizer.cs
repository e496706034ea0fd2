using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>How a training run updates embedding tables.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<EmbeddingUpdates>))]
public enum EmbeddingUpdates
{
    /// <summary>
    /// Row-wise (lazy) Adam: a step updates only the rows it looked up, with their own first and second
    /// moments, as TensorFlow's LazyAdam and TorchRec's row-wise optimizers do. A step's cost does not grow
    /// with the number of users and items. Dense layers use ordinary Adam.
    /// </summary>
    RowwiseAdam,

    /// <summary>Ordinary (dense) Adam over every parameter: every row of every table, every step.</summary>
    DenseAdam,
}

/// <summary>The optimizer of a training run: one step after each backward pass, and state a resume checkpoint carries.</summary>
public interface ITrainingOptimizer : IDisposable
{
    /// <summary>Which kind of update it is (recorded in resume checkpoints).</summary>
    EmbeddingUpdates Kind { get; }

    /// <summary>Clears the gradients before a backward pass.</summary>
    void ZeroGrad();

    /// <summary>Applies the gradients of the last backward pass.</summary>
    void ApplyGradients();

    /// <summary>Writes the optimizer's state (moments and step counts).</summary>
    void Save(Stream stream);

    /// <summary>Restores state written by <see cref="Save"/> for the same network.</summary>
    void Load(Stream stream);
}

/// <summary>Creates the optimizer of a run.</summary>
public static class TrainingOptimizer
{
    /// <summary>
    /// Adam at <paramref name="learningRate"/> over <paramref name="network"/>'s parameters; with
    /// <see cref="EmbeddingUpdates.RowwiseAdam"/> the tables of every <see cref="IRowwiseEmbeddings"/> in the network
    /// are updated row-wise and the rest densely. With a <paramref name="communicator"/> of more than one rank, the
    /// tables are sharded by row over the ranks (<see cref="Distributed.ShardedRowwiseAdam"/>).
    /// </summary>
    public static ITrainingOptimizer Adam(nn.Module network, double learningRate, EmbeddingUpdates updates, Distributed.ICommunicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool sharded = communicator is { Size: > 1 };
        if (sharded && updates != EmbeddingUpdates.RowwiseAdam)
            throw new ArgumentException($"Training across {communicator!.Size} ranks shards the embedding tables, which only row-wise Adam updates (got {updates}).", nameof(updates));
        if (updates == EmbeddingUpdates.DenseAdam) return new DenseAdam(network, learningRate);
        var owners = network.modules().OfType<IRowwiseEmbeddings>().ToList();
        return sharded ? new Distributed.ShardedRowwiseAdam(network, owners, learningRate, communicator!) : new RowwiseAdam(network, owners, learningRate);
    }
}

/// <summary>The parameters of a network that are not embedding tables trained row-wise, and the tables' names.</summary>
internal static class DenseParameters
{
    /// <summary>
    /// <paramref name="network"/>'s parameters other than the weights of <paramref name="tables"/>, with their names, in
    /// the network's order. Found by the tables' names in the network: TorchSharp hands out a new wrapper (and handle)
    /// of a parameter on every access, so parameters cannot be matched by handle.
    /// </summary>
    public static List<(string Name, Parameter Parameter)> Of(nn.Module network, IEnumerable<Embedding> tables)
    {
        var sparse = TableNames(network, tables).ToHashSet(StringComparer.Ordinal);
        return [.. network.named_parameters().Where(p => !sparse.Contains(p.name))];
    }

    /// <summary>The parameter names of <paramref name="tables"/>' weights in <paramref name="network"/>, in the tables' order.</summary>
    public static List<string> TableNames(nn.Module network, IEnumerable<Embedding> tables)
    {
        var list = tables.ToList();
        var names = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in network.named_modules()) names.TryAdd(module, name + ".weight");
        var missing = list.Count(t => !names.ContainsKey(t));
        if (missing > 0) throw new ArgumentException($"{missing} of the {list.Count} embedding tables are not modules of the network.", nameof(tables));
        return [.. list.Select(t => names[t])];
    }
}

/// <summary>Adam over every parameter (TorchSharp's, stepped with held scalars: <see cref="HeldScalarAdam"/>).</summary>
internal sealed class DenseAdam : ITrainingOptimizer, ICarriedOptimizer
{
    private readonly List<string> _names;
    private readonly HeldScalarAdam _adam;

    public DenseAdam(nn.Module network, double learningRate)
    {
        var named = network.named_parameters().ToList();
        _names = [.. named.Select(p => p.name)];
        _adam = new HeldScalarAdam(named.Select(p => p.parameter), learningRate);
    }

    public EmbeddingUpdates Kind => EmbeddingUpdates.DenseAdam;
    public void ZeroGrad() => _adam.Adam.zero_grad();
    public void ApplyGradients() => _adam.Step();

    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _adam.Adam.save_state_dict(writer);
    }

    public void Load(Stream stream) => _adam.Adam.load_state_dict(new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true));

    public AdamSlots Export()
    {
        var slots = new AdamSlots();
        CarriedState.Export(_adam, _names, slots);
        return slots;
    }

    public int Import(AdamSlots slots) => CarriedState.Import(_adam, _names, slots);

    public void Dispose() => _adam.Dispose();
}

/// <summary>A <see cref="HeldScalarAdam"/>'s state to and from <see cref="AdamSlots"/>, by the parameters' names.</summary>
internal static class CarriedState
{
    /// <summary>Adds the state of every parameter of <paramref name="adam"/> (named by <paramref name="names"/>, aligned) to <paramref name="slots"/>.</summary>
    public static void Export(HeldScalarAdam adam, IReadOnlyList<string> names, AdamSlots slots)
    {
        for (int i = 0; i < names.Count; i++)
        {
            var (step, mean, square) = adam.StateOf(i);
            slots.Add(names[i], step, mean, square);
        }
    }

    /// <summary>Sets every parameter's state that <paramref name="slots"/> holds under its name and shape; returns how many.</summary>
    public static int Import(HeldScalarAdam adam, IReadOnlyList<string> names, AdamSlots slots)
    {
        int taken = 0;
        for (int i = 0; i < names.Count; i++)
        {
            if (!slots.TryGet(names[i], adam.Parameters[i].shape, out var slot)) continue;
            adam.SetState(i, slot.Step, slot.Mean, slot.Square);
            taken++;
        }
        return taken;
    }
}
