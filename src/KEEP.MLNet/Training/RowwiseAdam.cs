using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>
/// A module that owns embedding tables which can be trained row-wise: while <see cref="RowLookups"/> is set
/// (by <see cref="RowwiseAdam"/> or a sharded optimizer) and the module trains with gradients on, its lookups go
/// through <see cref="IRowLookups.Lookup"/> instead of the table's dense forward.
/// </summary>
internal interface IRowwiseEmbeddings
{
    /// <summary>The tables, whose parameters the dense optimizer must leave alone.</summary>
    IReadOnlyList<Embedding> Tables { get; }

    /// <summary>Where this step's lookups are recorded; null for ordinary (dense) lookups.</summary>
    IRowLookups? RowLookups { get; set; }
}

/// <summary>Looks up embedding rows for a step so that only the rows used receive a gradient.</summary>
internal interface IRowLookups
{
    /// <summary>The embeddings of <paramref name="ids"/> (any shape) from <paramref name="table"/>, shaped [..ids, dim].</summary>
    Tensor Lookup(Embedding table, Tensor ids);
}

/// <summary>
/// Finds the distinct ids of a lookup in one linear pass with a slot map the size of the table (no sort), reset
/// after each use.
/// </summary>
internal sealed class DistinctRows(long tableRows)
{
    private readonly int[] _slotOf = NewSlots(tableRows);

    private static int[] NewSlots(long rows)
    {
        var slots = new int[checked((int)rows)];
        Array.Fill(slots, -1);
        return slots;
    }

    /// <summary>The distinct ids in order of first appearance, and each id's index among them.</summary>
    public (long[] Rows, long[] Inverse) Of(long[] ids)
    {
        var rows = new List<long>();
        var inverse = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            long id = ids[i];
            int slot = _slotOf[id];
            if (slot < 0)
            {
                _slotOf[id] = slot = rows.Count;
                rows.Add(id);
            }
            inverse[i] = slot;
        }
        foreach (long id in rows) _slotOf[id] = -1;
        return ([.. rows], inverse);
    }

    /// <summary>
    /// The distinct ids of several lookups and their summed <paramref name="gradients"/> ([ids.Length, dim] each,
    /// aligned with the ids): one row per distinct id.
    /// </summary>
    public (long[] Rows, Tensor Gradient) Summed(IReadOnlyList<long[]> ids, IReadOnlyList<Tensor> gradients, long dim)
    {
        if (ids.Count == 1) return (ids[0], gradients[0]);
        var (rows, inverse) = Of([.. ids.SelectMany(i => i)]);
        return (rows, zeros(rows.Length, dim).RowsAddedInPlace(tensor(inverse), cat([.. gradients])));
    }
}

/// <summary>
/// The rows one step looked up: each lookup gathers the distinct rows it needs into a small leaf tensor that
/// receives the gradient, so back-propagation never touches the rest of the table.
/// </summary>
internal sealed class RowLookups : IRowLookups
{
    private readonly Dictionary<Embedding, List<(long[] Rows, Tensor Values)>> _touched = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Embedding, DistinctRows> _distinct = new(ReferenceEqualityComparer.Instance);

    /// <inheritdoc/>
    public Tensor Lookup(Embedding table, Tensor ids)
    {
        var (rows, inverse) = Distinct(table).Of(ids.flatten().data<long>().ToArray());
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
            var (rows, gradient) = Distinct(table).Summed([.. withGrad.Select(l => l.Rows)], [.. withGrad.Select(l => l.Values.grad!)], table.weight!.shape[1]);
            yield return (table, tensor(rows), gradient);
        }
        _touched.Clear();
    }

    private DistinctRows Distinct(Embedding table)
    {
        if (!_distinct.TryGetValue(table, out var distinct)) _distinct[table] = distinct = new DistinctRows(table.weight!.shape[0]);
        return distinct;
    }
}

/// <summary>
/// Adam with row-wise (lazy) updates of embedding tables: the moments of a row change only in steps that look
/// it up, bias-corrected with the run's step count (as TensorFlow's LazyAdam); every other parameter takes
/// ordinary Adam. Row 0 (padding) takes no gradient, so its moments and its zero vector stay as they are.
/// </summary>
internal sealed class RowwiseAdam : ITrainingOptimizer, ICarriedOptimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly HeldScalarAdam _dense;
    private readonly IReadOnlyList<IRowwiseEmbeddings> _owners;
    private readonly Dictionary<Embedding, (Tensor M, Tensor V)> _moments = new(ReferenceEqualityComparer.Instance);
    private readonly List<Embedding> _tables;
    private readonly List<string> _tableNames, _denseNames;
    private readonly RowLookups _lookups = new();
    private readonly double _learningRate;
    private long _step;

    public RowwiseAdam(nn.Module network, IReadOnlyList<IRowwiseEmbeddings> owners, double learningRate)
    {
        _owners = owners;
        _learningRate = learningRate;
        _tables = [.. owners.SelectMany(o => o.Tables)];
        _tableNames = DenseParameters.TableNames(network, _tables);
        var dense = DenseParameters.Of(network, _tables);
        _denseNames = [.. dense.Select(p => p.Name)];
        _dense = new HeldScalarAdam(dense.Select(p => p.Parameter), learningRate);
        foreach (var table in _tables) _moments[table] = (zeros_like(table.weight!).DetachFromDisposeScope(), zeros_like(table.weight!).DetachFromDisposeScope());
        foreach (var owner in owners) owner.RowLookups = _lookups;
    }

    public EmbeddingUpdates Kind => EmbeddingUpdates.RowwiseAdam;

    public void ZeroGrad() => _dense.Adam.zero_grad();

    public void ApplyGradients()
    {
        _dense.Step();
        _step++;
        using var _ = no_grad();
        foreach (var (table, rows, touched) in _lookups.Drain())
        {
            var (m, v) = _moments[table];
            UpdateRows(table.weight!, m, v, rows, touched * rows.NotEqual(0).unsqueeze(1), _step, _learningRate); // row 0 is padding: never trained
        }
    }

    /// <summary>
    /// One lazy-Adam update of <paramref name="rows"/> of <paramref name="weight"/> (distinct rows; their moments in
    /// <paramref name="m"/> and <paramref name="v"/>) by <paramref name="gradient"/>, at the run's step <paramref name="step"/>.
    /// </summary>
    internal static void UpdateRows(Tensor weight, Tensor m, Tensor v, Tensor rows, Tensor gradient, long step, double learningRate)
    {
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = Math.Sqrt(1 - Math.Pow(Beta2, step));
        var mRows = m.index_select(0, rows).TimesInPlace(Beta1).AddScaledInPlace(gradient, 1 - Beta1);
        var vRows = v.index_select(0, rows).TimesInPlace(Beta2).AddProductInPlace(gradient, gradient, 1 - Beta2);
        m.index_copy_(0, rows, mRows);
        v.index_copy_(0, rows, vRows);
        var update = mRows.div_(vRows.sqrt_().DividedInPlace(correction2).PlusInPlace(Epsilon)).TimesInPlace(-learningRate / correction1);
        weight.RowsAddedInPlace(rows, update);
    }

    public void Save(Stream stream) => WriteState(stream, _step, [.. _tables.Select(t => _moments[t])], _dense);

    public void Load(Stream stream) => _step = ReadState(stream, _tables.Count, (t, reader) =>
    {
        var (m, v) = _moments[_tables[t]];
        m.Load(reader);
        v.Load(reader);
    }, _dense);

    /// <summary>The state's layout: the step, each table's moments (whole tables, in the network's order), the dense Adam's state.</summary>
    internal static void WriteState(Stream stream, long step, IReadOnlyList<(Tensor M, Tensor V)> moments, HeldScalarAdam dense)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(step);
        writer.Write(moments.Count);
        foreach (var (m, v) in moments)
        {
            m.Save(writer);
            v.Save(writer);
        }
        dense.Adam.save_state_dict(writer);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote: <paramref name="readMoments"/> reads table t's two moments; returns the step.</summary>
    internal static long ReadState(Stream stream, int tables, Action<int, BinaryReader> readMoments, HeldScalarAdam dense)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        long step = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != tables) throw new InvalidDataException($"the optimizer state holds {count} embedding tables; this network has {tables}");
        for (int t = 0; t < tables; t++) readMoments(t, reader);
        dense.Adam.load_state_dict(reader);
        return step;
    }

    public AdamSlots Export()
    {
        var slots = new AdamSlots();
        CarriedState.Export(_dense, _denseNames, slots);
        for (int t = 0; t < _tables.Count; t++)
        {
            var (m, v) = _moments[_tables[t]];
            slots.Add(_tableNames[t], _step, m, v);
        }
        return slots;
    }

    public int Import(AdamSlots slots)
    {
        int taken = CarriedState.Import(_dense, _denseNames, slots);
        using var _ = no_grad();
        for (int t = 0; t < _tables.Count; t++)
        {
            var (m, v) = _moments[_tables[t]];
            if (!slots.TryGet(_tableNames[t], m.shape, out var slot)) continue;
            m.copy_(slot.Mean);
            v.copy_(slot.Square);
            // The tables' lazy updates are bias-corrected with the run's step count, which they all share.
            _step = Math.Max(_step, slot.Step);
            taken++;
        }
        return taken;
    }

    public void Dispose()
    {
        foreach (var owner in _owners) owner.RowLookups = null;
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
        _dense.Dispose();
    }
}
