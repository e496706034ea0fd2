using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
    public Tensor Pool(Tensor query, Tensor keys, Tensor mask)
    {
        var q = query.unsqueeze(1).expand_as(keys);
        var x = cat([q, keys, q - keys, q * keys], -1);
        for (int i = 0; i < _hidden.Count; i++) x = _activations[i].forward(_hidden[i].forward(x));
        var scores = _score.forward(x).squeeze(-1) * mask;
        return (scores.unsqueeze(-1) * keys).sum(1);
    }
}
