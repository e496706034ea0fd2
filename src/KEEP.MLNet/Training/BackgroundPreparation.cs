using System.Collections.Concurrent;

namespace KEEP.MLNet.Training;

/// <summary>
/// Runs the preparation of training blocks (reading, vocabulary lookups, pairs, knowledge) on a second
/// thread while the caller's thread trains on the previous block. At most two blocks wait; an error on
/// either side stops both and is rethrown on the caller's thread.
/// </summary>
internal static class BackgroundPreparation
{
    public static void Run<T>(IEnumerable<T> prepared, Action<T> consume, CancellationToken cancellation)
    {
        using var queue = new BlockingCollection<T>(boundedCapacity: 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (var item in prepared) queue.Add(item, stop.Token);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, stop.Token);
        try
        {
            foreach (var item in queue.GetConsumingEnumerable(stop.Token)) consume(item);
            producer.GetAwaiter().GetResult();
        }
        catch
        {
            stop.Cancel();
            try { producer.Wait(30_000, CancellationToken.None); } catch (AggregateException) { }
            throw;
        }
    }
}
