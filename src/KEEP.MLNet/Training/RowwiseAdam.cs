using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>
/// A module that owns embedding tables which can be trained row-wise: while <see cref="RowLookups"/> is set
/// (by <see cref="RowwiseAdam"/>) and the module trains with gradients on, its lookups go through
/// <see cref="RowLookups.Lookup"/> instead of the table's dense forward.
/// </summary>
internal interface IRowwiseEmbeddings
{
    /// <summary>The tables, whose parameters the dense optimizer must leave alone.</summary>
    IReadOnlyList<Embedding> Tables { get; }

    /// <summary>Where this step's lookups are recorded; null for ordinary (dense) lookups.</summary>
    RowLookups? RowLookups { get; set; }
}

/// <summary>
/// The rows one step looked up: each lookup gathers the distinct rows it needs into a small leaf tensor that
/// receives the gradient, so back-propagation never touches the rest of the table. Distinct rows are found
/// in one linear pass over the ids with a per-table slot map (no sort), reset after each use.
/// </summary>
internal sealed class RowLookups
{
    private readonly Dictionary<Embedding, List<(long[] Rows, Tensor Values)>> _touched = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Embedding, int[]> _slots = new(ReferenceEqualityComparer.Instance);

    /// <summary>The embeddings of <paramref name="ids"/> (any shape) from <paramref name="table"/>, shaped [..ids, dim].</summary>
    public Tensor Lookup(Embedding table, Tensor ids)
    {
        var (rows, inverse) = Distinct(table, ids.flatten().data<long>().ToArray());
        var values = table.weight!.detach().index_select(0, tensor(rows)).requires_grad_(true);
        if (!_touched.TryGetValue(table, out var list)) _touched[table] = list = [];
        list.Add((rows, values));
        long[] shape = [.. ids.shape, table.weight!.shape[1]];
        return values.index_select(0, tensor(inverse)).view(shape);
    }

    /// <summary>Each table's distinct touched rows and their summed gradients; clears the record.</summary>
    public IEnumerable<(Embedding Table, Tensor Rows, Tensor Gradient)> Drain()
    {
        foreach (var (table, list) in _touched)
        {
            // Lookups of an earlier scope that never reached a step (their tensors are disposed) are dropped.
            var withGrad = list.Where(l => !l.Values.IsInvalid && l.Values.grad is not null).ToList();
            if (withGrad.Count == 0) continue;
            if (withGrad.Count == 1) { yield return (table, tensor(withGrad[0].Rows), withGrad[0].Values.grad!); continue; }
            var (rows, inverse) = Distinct(table, [.. withGrad.SelectMany(l => l.Rows)]);
            var gradient = zeros(rows.Length, table.weight!.shape[1]).RowsAddedInPlace(tensor(inverse), cat([.. withGrad.Select(l => l.Values.grad!)]));
            yield return (table, tensor(rows), gradient);
        }
        _touched.Clear();
    }

    /// <summary>The distinct ids in order of first appearance, and each id's index among them.</summary>
    private (long[] Rows, long[] Inverse) Distinct(Embedding table, long[] ids)
    {
        if (!_slots.TryGetValue(table, out var slotOf))
        {
            _slots[table] = slotOf = new int[checked((int)table.weight!.shape[0])];
            Array.Fill(slotOf, -1);
        }
        var rows = new List<long>();
        var inverse = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            long id = ids[i];
            int slot = slotOf[id];
            if (slot < 0)
            {
                slotOf[id] = slot = rows.Count;
                rows.Add(id);
            }
            inverse[i] = slot;
        }
        foreach (long id in rows) slotOf[id] = -1;
        return ([.. rows], inverse);
    }
}

/// <summary>
/// Adam with row-wise (lazy) updates of embedding tables: the moments of a row change only in steps that look
/// it up, bias-corrected with the run's step count (as TensorFlow's LazyAdam); every other parameter takes
/// ordinary Adam. Row 0 (padding) takes no gradient, so its moments and its zero vector stay as they are.
/// </summary>
internal sealed class RowwiseAdam : ITrainingOptimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly HeldScalarAdam _dense;
    private readonly IReadOnlyList<IRowwiseEmbeddings> _owners;
    private readonly Dictionary<Embedding, (Tensor M, Tensor V)> _moments = new(ReferenceEqualityComparer.Instance);
    private readonly List<Embedding> _tables;
    private readonly RowLookups _lookups = new();
    private readonly double _learningRate;
    private long _step;

    public RowwiseAdam(nn.Module network, IReadOnlyList<IRowwiseEmbeddings> owners, double learningRate)
    {
        _owners = owners;
        _learningRate = learningRate;
        _tables = [.. owners.SelectMany(o => o.Tables)];
        var sparse = new HashSet<IntPtr>(_tables.Select(t => t.weight!.Handle));
        _dense = new HeldScalarAdam(network.parameters().Where(p => !sparse.Contains(p.Handle)), learningRate);
        foreach (var table in _tables) _moments[table] = (zeros_like(table.weight!).DetachFromDisposeScope(), zeros_like(table.weight!).DetachFromDisposeScope());
        foreach (var owner in owners) owner.RowLookups = _lookups;
    }

    public EmbeddingUpdates Kind => EmbeddingUpdates.RowwiseAdam;

    public void ZeroGrad() => _dense.Adam.zero_grad();

    public void ApplyGradients()
    {
        _dense.Step();
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step), correction2 = Math.Sqrt(1 - Math.Pow(Beta2, _step));
        using var _ = no_grad();
        foreach (var (table, rows, touched) in _lookups.Drain())
        {
            var (m, v) = _moments[table];
            var gradient = touched * rows.NotEqual(0).unsqueeze(1); // row 0 is padding: never trained
            var mRows = m.index_select(0, rows).TimesInPlace(Beta1).AddScaledInPlace(gradient, 1 - Beta1);
            var vRows = v.index_select(0, rows).TimesInPlace(Beta2).AddProductInPlace(gradient, gradient, 1 - Beta2);
            m.index_copy_(0, rows, mRows);
            v.index_copy_(0, rows, vRows);
            var update = mRows.div_(vRows.sqrt_().DividedInPlace(correction2).PlusInPlace(Epsilon)).TimesInPlace(-_learningRate / correction1);
            table.weight!.RowsAddedInPlace(rows, update);
        }
    }

    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(_step);
        writer.Write(_tables.Count);
        foreach (var table in _tables)
        {
            var (m, v) = _moments[table];
            m.Save(writer);
            v.Save(writer);
        }
        _dense.Adam.save_state_dict(writer);
    }

    public void Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _step = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != _tables.Count) throw new InvalidDataException($"the optimizer state holds {count} embedding tables; this network has {_tables.Count}");
        foreach (var table in _tables)
        {
            var (m, v) = _moments[table];
            m.Load(reader);
            v.Load(reader);
        }
        _dense.Adam.load_state_dict(reader);
    }

    public void Dispose()
    {
        foreach (var owner in _owners) owner.RowLookups = null;
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
        _dense.Dispose();
    }
}
