using static TorchSharp.torch;

namespace KEEP.MLNet.Layers;

/// <summary>
/// Creates a network from a seed. TorchSharp initialises weights from one process-wide generator, so two
/// models built at once on different threads would interleave their draws; building under one lock after
/// seeding makes "same seed, same data, same model" hold however many models are trained in parallel.
/// </summary>
internal static class SeededInitialisation
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Runs <paramref name="create"/> under the same lock without seeding: for networks whose weights are loaded or
    /// thrown away right after (loading a checkpoint, probing shapes). Their initial draws still use the process-wide
    /// generator, so outside the lock they could fall between another thread's seeding and its construction.
    /// </summary>
    public static T Unseeded<T>(Func<T> create)
    {
        lock (Gate) return create();
    }

    /// <summary>Seeds the generator and runs <paramref name="create"/>, with no other seeded construction in between.</summary>
    public static T Create<T>(int seed, Func<T> create)
    {
        lock (Gate)
        {
            manual_seed(seed);
            return create();
        }
    }
}
