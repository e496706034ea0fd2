using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training.Distributed;

/// <summary>
/// The optimizer of a data-parallel run whose embedding tables are sharded by row (<see cref="RowOwners"/>): no rank
/// holds a whole table. A lookup sends the distinct ids a rank needs to their owners and gets their rows back
/// (two all-to-all exchanges), as a small leaf tensor that takes the gradient; after the backward pass the rows'
/// gradients go back to their owners, which sum them and update their rows with the same lazy Adam as
/// <see cref="RowwiseAdam"/>. Dense gradients are summed over the ranks (each rank back-propagates its share of
/// one loss over the whole block), so every rank takes the same dense Adam step and the dense layers stay identical.
/// </summary>
internal sealed class ShardedRowwiseAdam : ITrainingOptimizer, IRowLookups
{
    private readonly ICommunicator _communicator;
    private readonly RowOwners _owners;
    private readonly HeldScalarAdam _dense;
    private readonly Parameter[] _denseParameters;
    private readonly IReadOnlyList<IRowwiseEmbeddings> _modules;
    private readonly Shard[] _shards;
    private readonly Dictionary<Embedding, Shard> _byTable = new(ReferenceEqualityComparer.Instance);
    private readonly double _learningRate;
    private long _step;

    /// <summary>
    /// Shards every table of <paramref name="modules"/>: this rank keeps its rows (and their moments) and the
    /// network's table is emptied; <see cref="AssembleTables"/> puts the whole tables back.
    /// </summary>
    public ShardedRowwiseAdam(nn.Module network, IReadOnlyList<IRowwiseEmbeddings> modules, double learningRate, ICommunicator communicator)
    {
        _communicator = communicator;
        _owners = new RowOwners(communicator.Size);
        _modules = modules;
        _learningRate = learningRate;
        var tables = modules.SelectMany(o => o.Tables).ToList();
        _denseParameters = [.. DenseParameters.Of(network, tables).Select(p => p.Parameter)];
        _dense = new HeldScalarAdam(_denseParameters, learningRate);
        using (no_grad())
        {
            _shards = [.. tables.Select(t => new Shard(t, communicator.Rank, _owners))];
        }
        foreach (var shard in _shards) _byTable[shard.Table] = shard;
        foreach (var module in modules) module.RowLookups = this;
    }

    public EmbeddingUpdates Kind => EmbeddingUpdates.RowwiseAdam;

    /// <inheritdoc/>
    public Tensor Lookup(Embedding table, Tensor ids)
    {
        var shard = _byTable[table];
        var (rows, inverse) = shard.Global.Of(ids.flatten().data<long>().ToArray());
        var values = Fetch(shard, rows).requires_grad_(true);
        shard.Touched.Add((rows, values));
        long[] shape = [.. ids.shape, shard.Dim];
        return values.index_select(0, tensor(inverse)).view(shape);
    }

    /// <summary>Rows <paramref name="rows"/> (global ids) of a table, from their owners.</summary>
    private Tensor Fetch(Shard shard, long[] rows)
    {
        var (local, counts, position) = _owners.Split(rows);
        var asked = _communicator.AllToAll(local, counts, out var askedCounts);
        float[] answer = asked.Length == 0 ? [] : shard.Weight.index_select(0, tensor(asked)).data<float>().ToArray();
        var received = _communicator.AllToAll(answer, [.. askedCounts.Select(c => checked(c * (int)shard.Dim))], out _);
        return tensor(received, [rows.Length, shard.Dim]).index_select(0, tensor(position));
    }

    public void ZeroGrad() => _dense.Adam.zero_grad();

    public void ApplyGradients()
    {
        SumDenseGradients();
        _dense.Step();
        _step++;
        using var _ = no_grad();
        foreach (var shard in _shards) UpdateShard(shard);
    }

    private void SumDenseGradients()
    {
        using var scope = NewDisposeScope();
        var gradients = _denseParameters.Select(p => p.grad ?? throw new InvalidOperationException(
            $"a dense parameter of shape [{string.Join(", ", p.shape)}] has no gradient: every rank must use every dense parameter in every step")).ToList();
        var sum = cat([.. gradients.Select(g => g.flatten())]).data<float>().ToArray();
        _communicator.SumInPlace(sum);
        var summed = tensor(sum);
        long offset = 0;
        using var _ = no_grad();
        foreach (var gradient in gradients)
        {
            gradient.copy_(summed.narrow(0, offset, gradient.numel()).view(gradient.shape));
            offset += gradient.numel();
        }
    }

    /// <summary>Sends this step's row gradients of one table to their owners and updates the rows this rank owns.</summary>
    private void UpdateShard(Shard shard)
    {
        // Lookups of an earlier scope that never reached a step (their tensors are disposed) are dropped.
        var touched = shard.Touched.Where(l => !l.Values.IsInvalid && l.Values.grad is not null).ToList();
        shard.Touched.Clear();
        var (rows, gradient) = touched.Count == 0
            ? ([], zeros(0, shard.Dim))
            : shard.Global.Summed([.. touched.Select(l => l.Rows)], [.. touched.Select(l => l.Values.grad!)], shard.Dim);
        var (local, counts, position) = _owners.Split(rows);
        // In the order of the split: the row at position[i] is rows[i].
        var order = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) order[position[i]] = i;
        var mask = tensor(rows).NotEqual(0).unsqueeze(1); // row 0 is padding: never trained
        float[] sent = rows.Length == 0 ? [] : (gradient * mask).index_select(0, tensor(order)).contiguous().data<float>().ToArray();
        var mine = _communicator.AllToAll(local, counts, out _);
        var values = _communicator.AllToAll(sent, [.. counts.Select(c => checked(c * (int)shard.Dim))], out _);
        if (mine.Length == 0) return;
        var (distinct, inverse) = shard.Local.Of(mine);
        var summed = zeros(distinct.Length, shard.Dim).RowsAddedInPlace(tensor(inverse), tensor(values, [mine.Length, shard.Dim]));
        RowwiseAdam.UpdateRows(shard.Weight, shard.M, shard.V, tensor(distinct), summed, _step, _learningRate);
    }

    /// <summary>
    /// Whole tables, and with <paramref name="moments"/> their moments (else null), assembled from every rank's shard: on
    /// every rank (<paramref name="root"/> null) or on <paramref name="root"/> alone (null elsewhere). A collective call.
    /// </summary>
    private WholeTables? Assemble(int? root, bool moments)
    {
        var parts = new List<(Tensor, Tensor?, Tensor?)>();
        foreach (var shard in _shards)
        {
            var weight = shard.Whole(shard.Weight, _communicator, root);
            var m = moments ? shard.Whole(shard.M, _communicator, root) : null;
            var v = moments ? shard.Whole(shard.V, _communicator, root) : null;
            if (weight is not null) parts.Add((weight, m, v));
        }
        return parts.Count == _shards.Length ? new WholeTables(parts) : null;
    }

    /// <summary>
    /// Puts the whole trained tables back into the network on every rank (a collective call), e.g. at the end of
    /// training, so the network works as a single process's.
    /// </summary>
    public void AssembleTables()
    {
        using var whole = Assemble(root: null, moments: false)!; // the trained network needs no moments
        using var _ = no_grad();
        for (int t = 0; t < _shards.Length; t++) _shards[t].Table.weight!.set_(whole.Tables[t].Weight);
    }

    /// <summary>
    /// Runs <paramref name="write"/> on <paramref name="root"/> with the whole tables in the network and the whole
    /// optimizer state (in <see cref="RowwiseAdam"/>'s layout), then empties the tables again; a collective call
    /// (the other ranks only send their shards).
    /// </summary>
    public void WithWholeTables(int root, Action<Action<Stream>> write)
    {
        using var whole = Assemble(root, moments: true);
        if (whole == null) return;
        using var _ = no_grad();
        for (int t = 0; t < _shards.Length; t++) _shards[t].Table.weight!.set_(whole.Tables[t].Weight);
        try
        {
            write(stream => RowwiseAdam.WriteState(stream, _step, [.. whole.Tables.Select(w => (w.M!, w.V!))], _dense));
        }
        finally
        {
            foreach (var shard in _shards) shard.Empty();
        }
    }

    /// <summary>This rank writes no state alone: a sharded run's state is written whole by <see cref="WithWholeTables"/>.</summary>
    public void Save(Stream stream) => throw new NotSupportedException("A sharded optimizer's state is written whole, through WithWholeTables.");

    /// <summary>Restores whole-table state (as <see cref="RowwiseAdam"/> saves it, e.g. in a resume checkpoint), keeping this rank's rows.</summary>
    public void Load(Stream stream) => _step = RowwiseAdam.ReadState(stream, _shards.Length, (t, reader) =>
    {
        var shard = _shards[t];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var moment in new[] { shard.M, shard.V })
        {
            var whole = zeros(shard.Rows, shard.Dim);
            whole.Load(reader);
            moment.copy_(whole.index_select(0, shard.Owned()));
        }
    }, _dense);

    public void Dispose()
    {
        foreach (var module in _modules) module.RowLookups = null;
        foreach (var shard in _shards) shard.Dispose();
        _dense.Dispose();
    }

    /// <summary>Whole tables assembled from the shards, in the network's table order.</summary>
    private sealed class WholeTables(List<(Tensor Weight, Tensor? M, Tensor? V)> tables) : IDisposable
    {
        public List<(Tensor Weight, Tensor? M, Tensor? V)> Tables => tables;

        public void Dispose()
        {
            foreach (var (w, m, v) in tables) { w.Dispose(); m?.Dispose(); v?.Dispose(); }
        }
    }

    /// <summary>One table's rows on this rank, their moments, and the step's lookups of the table.</summary>
    private sealed class Shard : IDisposable
    {
        private readonly int _rank;
        private readonly RowOwners _owners;

        public Shard(Embedding table, int rank, RowOwners owners)
        {
            (Table, _rank, _owners) = (table, rank, owners);
            Rows = table.weight!.shape[0];
            Dim = table.weight!.shape[1];
            Weight = table.weight!.detach().index_select(0, Owned()).DetachFromDisposeScope();
            M = zeros_like(Weight).DetachFromDisposeScope();
            V = zeros_like(Weight).DetachFromDisposeScope();
            Global = new DistinctRows(Rows);
            Local = new DistinctRows(Weight.shape[0]);
            Empty();
        }

        public Embedding Table { get; }
        /// <summary>Rows of the whole table.</summary>
        public long Rows { get; }
        public long Dim { get; }
        /// <summary>This rank's rows: global row <c>rank + k·N</c> at row k.</summary>
        public Tensor Weight { get; }
        public Tensor M { get; }
        public Tensor V { get; }
        /// <summary>Distinct global ids of a lookup.</summary>
        public DistinctRows Global { get; }
        /// <summary>Distinct local rows of the gradients this rank receives.</summary>
        public DistinctRows Local { get; }
        public List<(long[] Rows, Tensor Values)> Touched { get; } = [];

        /// <summary>The global rows this rank owns, in local order.</summary>
        public Tensor Owned() => OwnedBy(_rank);

        private Tensor OwnedBy(int rank) => HeldScalars.Range(rank, Rows, _owners.Ranks);

        /// <summary>Frees the network's whole table (the shard holds this rank's rows).</summary>
        public void Empty()
        {
            using var _ = no_grad();
            Table.weight!.set_(zeros(0, Dim));
        }

        /// <summary>The whole table of which <paramref name="part"/> is this rank's shard (every rank's part interleaved by owner).</summary>
        public Tensor? Whole(Tensor part, ICommunicator communicator, int? root)
        {
            var mine = part.contiguous().data<float>().ToArray();
            var all = root is { } r ? communicator.Gather(mine, r) : communicator.AllGather(mine, out _);
            if (all == null) return null;
            var whole = zeros(Rows, Dim);
            long offset = 0;
            for (int rank = 0; rank < _owners.Ranks; rank++)
            {
                long count = _owners.ShardRows(Rows, rank);
                if (count == 0) continue;
                var rows = tensor(all.AsSpan(checked((int)(offset * Dim)), checked((int)(count * Dim))).ToArray(), [count, Dim]);
                whole.index_copy_(0, OwnedBy(rank), rows);
                offset += count;
            }
            return whole.DetachFromDisposeScope();
        }

        public void Dispose()
        {
            Weight.Dispose();
            M.Dispose();
            V.Dispose();
        }
    }
}
