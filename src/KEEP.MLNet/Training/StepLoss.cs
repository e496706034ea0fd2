using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>What one training step of a network computed: the loss to minimise and the parts recorded beside it.</summary>
/// <param name="Total">The scalar loss that is back-propagated.</param>
/// <param name="Parts">Parts of the loss recorded in the loss windows (e.g. one per task); may be empty.</param>
/// <param name="Rows">Rows the step trained on.</param>
public readonly record struct StepLoss(Tensor Total, IReadOnlyList<Tensor> Parts, int Rows);

/// <summary>
/// What a network supplies to the <see cref="TrainingEngine"/>: how a batch becomes a block ready for a step
/// (on the preparation thread, no tensors), and the loss of a block (on the training thread, inside the step's
/// dispose scope). Everything else — order, prefetch, optimizer, windows, progress, checkpoints — is the engine's.
/// </summary>
/// <typeparam name="TBatch">What the data source yields (usually <see cref="Data.ImpressionBatch"/>).</typeparam>
/// <typeparam name="TBlock">A prepared block.</typeparam>
public interface ITrainingStep<in TBatch, TBlock>
{
    /// <summary>Turns a batch into a block: index arrays, targets, anything computed off the training thread.</summary>
    TBlock Prepare(TBatch batch);

    /// <summary>The block's loss (tensors in the current dispose scope); null when the block has nothing to learn from.</summary>
    StepLoss? Loss(TBlock block);
}

/// <summary>Builds an <see cref="ITrainingStep{TBatch, TBlock}"/> from two functions.</summary>
public static class TrainingStep
{
    /// <summary>A step that prepares with <paramref name="prepare"/> and computes its loss with <paramref name="loss"/>.</summary>
    public static ITrainingStep<TBatch, TBlock> From<TBatch, TBlock>(Func<TBatch, TBlock> prepare, Func<TBlock, StepLoss?> loss)
        => new FunctionStep<TBatch, TBlock>(prepare, loss);

    private sealed class FunctionStep<TBatch, TBlock>(Func<TBatch, TBlock> prepare, Func<TBlock, StepLoss?> loss) : ITrainingStep<TBatch, TBlock>
    {
        public TBlock Prepare(TBatch batch) => prepare(batch);
        public StepLoss? Loss(TBlock block) => loss(block);
    }
}
