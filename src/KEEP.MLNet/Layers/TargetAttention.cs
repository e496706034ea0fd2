using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Layers;

/// <summary>
/// DIN's local activation unit: each behaviour k is scored against the target q by a small MLP over
/// [q, k, q − k, q ⊙ k] (PReLU between layers); padded positions score 0; the behaviours are summed with
/// their scores. As in DIN the scores are not normalised by a softmax, so the pooled vector keeps the
/// intensity of the interest.
/// </summary>
public sealed class TargetAttention : nn.Module
{
    private readonly ModuleList<Linear> _hidden = new();
    private readonly ModuleList<PReLU> _activations = new();
    private readonly Linear _score;

    /// <summary>Creates the unit for vectors of width <paramref name="dim"/> with the given hidden sizes (DIN: 80, 40).</summary>
    public TargetAttention(int dim, IReadOnlyList<int> hidden) : base(nameof(TargetAttention))
    {
        int input = 4 * dim;
        foreach (int width in hidden)
        {
            _hidden.Add(nn.Linear(input, width));
            _activations.Add(nn.PReLU(1));
            input = width;
        }
        _score = nn.Linear(input, 1);
        RegisterComponents();
    }

    /// <summary>The hidden layers with their PReLU activations, then the scoring layer.</summary>
    internal (IReadOnlyList<(Linear Linear, PReLU Activation)> Hidden, Linear Score) Layers
        => (_hidden.Zip(_activations).ToList(), _score);

    /// <summary>Pools <paramref name="keys"/> [B, L, D] for <paramref name="query"/> [B, D]; <paramref name="mask"/> [B, L] is 1 for real behaviours.</summary>
    /// <remarks>
    /// The first layer is linear in its input, so W·[q, k, q − k, q ⊙ k] + b = (W_q + W_d)·q + b + (W_k − W_d)·k + W_p·(q ⊙ k):
    /// the query's part is computed once per row and broadcast over the behaviours, and the [B, L, 4D]
    /// concatenation is never built. The same function as the concatenated form (same parameters, so models
    /// saved either way load and export alike), at about half the arithmetic and a quarter of the memory.
    /// </remarks>
    public Tensor Pool(Tensor query, Tensor keys, Tensor mask) => PoolWithKeyPart(query, keys, KeyPart(keys), mask);

    /// <summary>
    /// As <see cref="Pool(Tensor, Tensor, Tensor)"/> with the keys given as the block's distinct behaviours
    /// <paramref name="distinctKeys"/> [U, D] and each slot's index among them <paramref name="slots"/> [B, L]: the
    /// key's part of the first layer is computed once per distinct behaviour, not once per slot.
    /// </summary>
    public Tensor Pool(Tensor query, Tensor distinctKeys, Tensor slots, Tensor mask)
    {
        var flat = slots.flatten();
        long[] shape = [.. slots.shape, -1];
        return PoolWithKeyPart(query, distinctKeys.index_select(0, flat).view(shape), KeyPart(distinctKeys).index_select(0, flat).view(shape), mask);
    }

    /// <summary>
    /// As <see cref="Pool(Tensor, Tensor, Tensor, Tensor)"/> over the real behaviour slots only, given as pairs: the
    /// row of each slot <paramref name="rows"/> [N] and its index among <paramref name="distinctKeys"/> [U, D]
    /// <paramref name="behaviours"/> [N]. Padded slots score 0 in the masked form, so skipping them computes the same
    /// pooled vectors [B, D] (B = <paramref name="query"/>'s rows) with a history's padding costing nothing.
    /// </summary>
    public Tensor PoolReal(Tensor query, Tensor distinctKeys, Tensor rows, Tensor behaviours)
    {
        var (wq, _, wd, wp) = FirstWeights(distinctKeys.shape[^1]);
        var perRow = nn.functional.linear(query, wq.Plus(wd), _hidden[0].bias);
        var keys = distinctKeys.index_select(0, behaviours);
        // The two gathered parts summed in place (a gather's backward needs no output), the product's projection added by the GEMM itself.
        var gathered = KeyPart(distinctKeys).index_select(0, behaviours).PlusInPlace(perRow.index_select(0, rows));
        var x = Activate(0, addmm(gathered, query.index_select(0, rows) * keys, wp.t(), beta: 1, alpha: 1));
        for (int i = 1; i < _hidden.Count; i++) x = Activate(i, _hidden[i].forward(x));
        var weighted = _score.forward(x) * keys;
        return zeros([query.shape[0], distinctKeys.shape[^1]], weighted.dtype).RowsAdded(rows, weighted);
    }

    private (Tensor Query, Tensor Key, Tensor Difference, Tensor Product) FirstWeights(long d)
    {
        var w = _hidden[0].weight!;
        return (w.narrow(1, 0, d), w.narrow(1, d, d), w.narrow(1, 2 * d, d), w.narrow(1, 3 * d, d));
    }

    /// <summary>(W_k − W_d)·k for keys of any leading shape.</summary>
    private Tensor KeyPart(Tensor keys)
    {
        var (_, wk, wd, _) = FirstWeights(keys.shape[^1]);
        return matmul(keys, (wk - wd).t());
    }

    /// <summary>The i-th PReLU; while training, through <see cref="ScalarPrelu"/>'s faster backward (same function).</summary>
    private Tensor Activate(int i, Tensor x)
        => training && is_grad_enabled() ? ScalarPrelu.Of(x, _activations[i].weight!) : _activations[i].forward(x);

    private Tensor PoolWithKeyPart(Tensor query, Tensor keys, Tensor keyPart, Tensor mask)
    {
        var (wq, _, wd, wp) = FirstWeights(keys.shape[^1]);
        var perRow = nn.functional.linear(query, wq.Plus(wd), _hidden[0].bias);
        var x = Activate(0, keyPart.Plus(matmul(query.unsqueeze(1) * keys, wp.t())).Plus(perRow.unsqueeze(1)));
        for (int i = 1; i < _hidden.Count; i++) x = Activate(i, _hidden[i].forward(x));
        var scores = _score.forward(x).squeeze(-1) * mask;
        return matmul(scores.unsqueeze(1), keys).squeeze(1);
    }
}
