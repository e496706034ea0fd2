using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// KEEP's per-task objective (paper Eq. 2–3): L = L_point + α·L_pair, where L_point is binary cross-entropy
/// over the task's rows and L_pair is the mean of −log σ(ŷ_i − ŷ_j) = softplus(ŷ_j − ŷ_i) over same-user
/// pairs with y_i &gt; y_j. A term with no rows (or no pairs) in the block contributes nothing.
/// </summary>
public static class KeepLoss
{
    /// <summary>The task's loss and its two parts (as tensors in the current dispose scope).</summary>
    public static (Tensor Total, Tensor? Pointwise, Tensor? Pairwise) Task(Tensor logits, TaskTargets targets, double alpha)
    {
        Tensor? pointwise = null, pairwise = null;
        if (targets.Rows.Length > 0)
        {
            var scores = logits.index_select(0, tensor(targets.Rows.Select(r => (long)r).ToArray()));
            pointwise = nn.functional.binary_cross_entropy_with_logits(scores, tensor(targets.Labels));
        }
        if (targets.Better.Length > 0) pairwise = Pairwise(logits, targets.Better, targets.Worse);
        var total = (pointwise, pairwise) switch
        {
            (null, null) => zeros(1, dtype: ScalarType.Float32).sum(),
            ({ } p, null) => p,
            (null, { } q) => q.Times(alpha),
            ({ } p, { } q) => p.Plus(q.Times(alpha)),
        };
        return (total, pointwise, pairwise);
    }

    /// <summary>Mean pairwise logistic loss of the pairs (better[k], worse[k]) under <paramref name="logits"/>.</summary>
    public static Tensor Pairwise(Tensor logits, int[] better, int[] worse)
    {
        var good = logits.index_select(0, tensor(better.Select(r => (long)r).ToArray()));
        var bad = logits.index_select(0, tensor(worse.Select(r => (long)r).ToArray()));
        return nn.functional.softplus(bad - good).mean();
    }
}
