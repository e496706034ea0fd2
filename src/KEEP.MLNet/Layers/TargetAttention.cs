using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Layers;

/// <summary>
/// DIN's local activation unit: each behaviour k is scored against the target q by a small MLP over
/// [q, k, q − k, q ⊙ k]; padded positions score 0; the behaviours are summed with their scores. As in DIN
/// the scores are not normalised by a softmax, so the pooled vector keeps the intensity of the interest.
/// </summary>
public sealed class TargetAttention : nn.Module
{
    private readonly Sequential _mlp;

    /// <summary>Creates the unit for vectors of width <paramref name="dim"/> with the given hidden sizes (DIN: 80, 40).</summary>
    public TargetAttention(int dim, IReadOnlyList<int> hidden) : base(nameof(TargetAttention))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int input = 4 * dim;
        for (int i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(input, hidden[i])));
            layers.Add(($"prelu{i}", nn.PReLU(1)));
            input = hidden[i];
        }
        layers.Add(("score", nn.Linear(input, 1)));
        _mlp = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Pools <paramref name="keys"/> [B, L, D] for <paramref name="query"/> [B, D]; <paramref name="mask"/> [B, L] is 1 for real behaviours.</summary>
    public Tensor Pool(Tensor query, Tensor keys, Tensor mask)
    {
        var q = query.unsqueeze(1).expand_as(keys);
        var scores = _mlp.forward(cat([q, keys, q - keys, q * keys], -1)).squeeze(-1) * mask;
        return (scores.unsqueeze(-1) * keys).sum(1);
    }
}
