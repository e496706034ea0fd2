using KEEP.MLNet.Layers;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

/// <summary>
/// The reference formulation of DIN's attention, as the paper and DIN write it: the first layer over the
/// concatenated [q, k, q − k, q ⊙ k] for every behaviour, using the parameters of a library module.
/// </summary>
internal static class NaiveTargetAttention
{
    public static Tensor Pool(TargetAttention attention, Tensor query, Tensor keys, Tensor mask)
    {
        var (hidden, score) = attention.Layers;
        var q = query.unsqueeze(1).expand_as(keys);
        var x = cat([q, keys, q - keys, q * keys], -1);
        foreach (var (linear, activation) in hidden) x = activation.forward(linear.forward(x));
        var scores = score.forward(x).squeeze(-1) * mask;
        return (scores.unsqueeze(-1) * keys).sum(1);
    }
}
