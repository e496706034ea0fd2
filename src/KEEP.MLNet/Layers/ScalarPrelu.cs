using static TorchSharp.torch;
using KEEP.MLNet.Training;

namespace KEEP.MLNet.Layers;

/// <summary>
/// PReLU with one learned slope, y = max(x, 0) + a·min(x, 0), with a hand-written backward: ∂y/∂x is 1 or a
/// (leaky ReLU's), and ∂L/∂a = ⟨g, min(x, 0)⟩ is one dot product. libtorch's own PReLU backward is several
/// times slower on CPU (about 25 ms for the attention's [2000, 50, 80] activations on the reference machine),
/// and the attention unit runs it on every behaviour of every row. Same function and the same parameter as
/// <c>nn.PReLU(1)</c>.
/// </summary>
internal sealed class ScalarPrelu : autograd.SingleTensorFunction<ScalarPrelu>
{
    /// <inheritdoc/>
    public override string Name => nameof(ScalarPrelu);

    /// <summary>PReLU of <paramref name="x"/> with the one-element slope <paramref name="slope"/>, differentiable in both.</summary>
    public static Tensor Of(Tensor x, Tensor slope) => apply(x, slope);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var slope = (Tensor)vars[1];
        ctx.save_for_backward([x, slope]);
        // With one slope, PReLU is a leaky ReLU whose slope is the parameter's current value.
        return x.LeakyRelu(slope.item<float>());
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (x, slope) = (saved[0], saved[1]);
        float a = slope.item<float>();
        var gradSlope = grad_output.reshape(-1).dot(x.AtMost(0).reshape(-1)).reshape(slope.shape);
        // ∂y/∂x is leaky ReLU's: libtorch's own leaky-ReLU backward is one fast pass (a select-by-mask here is slow).
        Tensor gradX;
        using (enable_grad())
        {
            var input = x.detach().requires_grad_(true);
            gradX = autograd.grad([input.LeakyRelu(a)], [input], [grad_output])[0];
        }
        return [gradX, gradSlope];
    }
}
