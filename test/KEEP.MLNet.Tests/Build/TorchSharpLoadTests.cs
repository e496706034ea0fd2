using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Build;

[TestClass]
public sealed class TorchSharpLoadTests
{
    [TestMethod]
    public void Tensor_forward_and_backward_run()
    {
        var x = torch.tensor(new float[] { 1f, 2f, 3f }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        CollectionAssert.AreEqual(new float[] { 2f, 4f, 6f }, x.grad!.data<float>().ToArray());
    }
}
