using KEEP.MLNet.Layers;
using KEEP.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

[TestClass]
public sealed class HeldScalarAdamTests
{
    [TestMethod]
    public void Takes_the_same_steps_as_TorchSharps_Adam_bit_for_bit_and_saves_the_same_state()
    {
        using var ours = SeededInitialisation.Create(3, () => nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 1)));
        using var theirs = SeededInitialisation.Create(3, () => nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 1)));
        using var held = new HeldScalarAdam(ours.parameters(), 0.01);
        using var reference = optim.Adam(theirs.parameters(), 0.01);
        var generator = new Generator().manual_seed(4);
        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 6, generator: generator);
            var y = randn(8, 1, generator: generator);
            held.Adam.zero_grad();
            nn.functional.mse_loss(ours.forward(x), y).backward();
            held.Step();
            reference.zero_grad();
            nn.functional.mse_loss(theirs.forward(x), y).backward();
            reference.step();
        }
        var a = ours.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var b = theirs.parameters().Select(p => p.data<float>().ToArray()).ToList();
        for (int i = 0; i < a.Count; i++) CollectionAssert.AreEqual(b[i], a[i], $"parameter {i}");

        using var heldState = new MemoryStream();
        using var referenceState = new MemoryStream();
        held.Adam.save_state_dict(new BinaryWriter(heldState));
        reference.save_state_dict(new BinaryWriter(referenceState));
        CollectionAssert.AreEqual(referenceState.ToArray(), heldState.ToArray(), "the saved optimizer state is TorchSharp's, byte for byte");
    }
}
