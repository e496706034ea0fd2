using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;

namespace KEEP.MLNet.Training;

/// <summary>The order rows reach a training run.</summary>
public static class TrainingOrder
{
    /// <summary>
    /// The paper's order (§3.2): days in order, rows shuffled within each day, in blocks of
    /// <paramref name="batchSize"/>. Epoch e's shuffle is seeded by (<paramref name="seed"/> + e, <paramref name="stream"/>),
    /// so the same seed gives the same blocks. <paramref name="data"/> is called once per epoch.
    /// </summary>
    public static Func<int, IEnumerable<ImpressionBatch>> DayShuffled(Func<IEnumerable<ImpressionBatch>> data, int batchSize, long seed, long stream)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return epoch => DayShuffler.Batches(data(), batchSize, new SeededRandom(seed + epoch, stream));
    }
}
