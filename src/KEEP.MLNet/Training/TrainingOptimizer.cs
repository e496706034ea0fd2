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
    /// are updated row-wise and the rest densely.
    /// </summary>
    public static ITrainingOptimizer Adam(nn.Module network, double learningRate, EmbeddingUpdates updates)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (updates == EmbeddingUpdates.DenseAdam) return new DenseAdam(network.parameters(), learningRate);
        var owners = network.modules().OfType<IRowwiseEmbeddings>().ToList();
        return new RowwiseAdam(network, owners, learningRate);
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
