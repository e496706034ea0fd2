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
        if (updates == EmbeddingUpdates.DenseAdam) return new DenseAdam(network.parameters(), learningRate);
        var owners = network.modules().OfType<IRowwiseEmbeddings>().ToList();
        return sharded ? new Distributed.ShardedRowwiseAdam(network, owners, learningRate, communicator!) : new RowwiseAdam(network, owners, learningRate);
    }
}

/// <summary>The parameters of a network that are not embedding tables trained row-wise.</summary>
internal static class DenseParameters
{
    /// <summary>
    /// <paramref name="network"/>'s parameters other than the weights of <paramref name="tables"/>, in the network's
    /// order. Found by the tables' names in the network: TorchSharp hands out a new wrapper (and handle) of a
    /// parameter on every access, so parameters cannot be matched by handle.
    /// </summary>
    public static List<Parameter> Of(nn.Module network, IEnumerable<Embedding> tables)
    {
        var set = new HashSet<nn.Module>(tables, ReferenceEqualityComparer.Instance);
        var sparse = network.named_modules().Where(m => set.Contains(m.module)).Select(m => m.name + ".weight").ToHashSet(StringComparer.Ordinal);
        if (sparse.Count != set.Count) throw new ArgumentException($"{set.Count - sparse.Count} of the {set.Count} embedding tables are not modules of the network.", nameof(tables));
        return [.. network.named_parameters().Where(p => !sparse.Contains(p.name)).Select(p => p.parameter)];
    }
}

/// <summary>Adam over every parameter (TorchSharp's, stepped with held scalars: <see cref="HeldScalarAdam"/>).</summary>
internal sealed class DenseAdam(IEnumerable<Parameter> parameters, double learningRate) : ITrainingOptimizer
{
    private readonly HeldScalarAdam _adam = new(parameters, learningRate);

    public EmbeddingUpdates Kind => EmbeddingUpdates.DenseAdam;
    public void ZeroGrad() => _adam.Adam.zero_grad();
    public void ApplyGradients() => _adam.Step();

    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _adam.Adam.save_state_dict(writer);
    }

    public void Load(Stream stream) => _adam.Adam.load_state_dict(new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true));

    public void Dispose() => _adam.Dispose();
}
