using static TorchSharp.torch;

namespace KEEP.MLNet.Training.Distributed;

/// <summary>
/// Every rank's rows of a tensor, concatenated in rank order on every rank, differentiably: the backward pass hands
/// each rank the gradient of its own rows. A loss that needs the whole block (the pairwise term ranks a user's rows
/// against each other, wherever they were computed) is then computed identically on every rank from the gathered
/// rows, and each rank back-propagates exactly its share; summed over the ranks, the network's gradients are those
/// of the single-process loss over the whole block.
/// </summary>
internal sealed class GatheredRows : autograd.SingleTensorFunction<GatheredRows>
{
    /// <inheritdoc/>
    public override string Name => nameof(GatheredRows);

    /// <summary>The float32 rows [n_r, ..] of every rank, concatenated: [Σ n_r, ..].</summary>
    public static Tensor Of(Tensor rows, ICommunicator communicator) => apply(rows, communicator);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var rows = (Tensor)vars[0];
        var communicator = (ICommunicator)vars[1];
        long width = rows.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var all = communicator.AllGather(rows.contiguous().data<float>().ToArray(), out var counts);
        long before = counts.Take(communicator.Rank).Sum(c => (long)c) / Math.Max(width, 1);
        ctx.save_data("start", before);
        ctx.save_data("rows", rows.shape[0]);
        long[] shape = [all.Length / Math.Max(width, 1), .. rows.shape.Skip(1)];
        return tensor(all, shape);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        => [grad_output.narrow(0, (long)ctx.get_data("start"), (long)ctx.get_data("rows")).contiguous(), null!]; // none for the communicator
}
