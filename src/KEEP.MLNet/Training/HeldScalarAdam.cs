using System.Reflection;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace KEEP.MLNet.Training;

/// <summary>
/// TorchSharp's Adam with its step taken over <see cref="HeldScalars"/>: the optimizer itself (its state, its
/// saved format, zeroing the gradients) is TorchSharp's, but the update runs the same operations in the same
/// order (so the same numbers, bit for bit) with every number passed to libtorch held as a
/// <see cref="TorchSharp.Scalar"/> for the call — TorchSharp's own step passes temporaries that the garbage
/// collector may free mid-call. Covers what this library uses: no weight decay, no AMSGrad, minimising, a
/// fixed learning rate. Reads TorchSharp's per-parameter state through its protected field (pinned version;
/// a test compares with TorchSharp's own step).
/// </summary>
internal sealed class HeldScalarAdam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    private static readonly FieldInfo StateField = typeof(OptimizerHelper).GetField("_state", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("This TorchSharp's optimizers keep their state elsewhere; HeldScalarAdam needs updating.");

    private readonly List<Parameter> _parameters;
    private readonly OrderedDict<IntPtr, OptimizerState> _state;
    private readonly double _learningRate;

    public HeldScalarAdam(IEnumerable<Parameter> parameters, double learningRate)
    {
        _parameters = [.. parameters];
        _learningRate = learningRate;
        Adam = optim.Adam(_parameters, learningRate, Beta1, Beta2, Epsilon);
        _state = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(Adam)!;
    }

    /// <summary>The TorchSharp optimizer whose state this steps (save, load, zero_grad go to it).</summary>
    public Adam Adam { get; }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var param in _parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (Adam.State)_state[param.Handle];
            state.step += 1;
            double biasCorrection1 = 1 - Math.Pow(Beta1, state.step), biasCorrection2 = 1 - Math.Pow(Beta2, state.step);
            state.exp_avg.TimesInPlace(Beta1).AddScaledInPlace(grad, 1 - Beta1);
            state.exp_avg_sq.TimesInPlace(Beta2).AddProductInPlace(grad, grad.conj(), 1 - Beta2);
            var denominator = state.exp_avg_sq.sqrt().DividedBy(Math.Sqrt(biasCorrection2)).PlusInPlace(Epsilon);
            param.AddQuotientInPlace(state.exp_avg, denominator, -(_learningRate / biasCorrection1));
        }
    }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Parameter <paramref name="index"/>'s step count and moments (the optimizer's own tensors).</summary>
    public (long Step, Tensor Mean, Tensor Square) StateOf(int index)
    {
        var state = (Adam.State)_state[_parameters[index].Handle];
        return (state.step, state.exp_avg, state.exp_avg_sq);
    }

    /// <summary>Sets parameter <paramref name="index"/>'s step count and moments (copied into the optimizer's tensors).</summary>
    public void SetState(int index, long step, Tensor mean, Tensor square)
    {
        using var _ = no_grad();
        var state = (Adam.State)_state[_parameters[index].Handle];
        state.step = step;
        state.exp_avg.copy_(mean);
        state.exp_avg_sq.copy_(square);
    }

    public void Dispose() => Adam.Dispose();
}
