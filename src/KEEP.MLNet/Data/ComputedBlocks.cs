using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace KEEP.MLNet.Data;

/// <summary>
/// Blocks of rows read and computed on a second thread while the caller consumes the previous block: the next
/// block's reading, preparation and network pass overlap with the caller's cursoring. At most two computed blocks
/// wait. An error on the second thread is rethrown, unchanged, by the <see cref="Next"/> call that would have
/// returned that block; disposing stops the second thread.
/// </summary>
internal sealed class ComputedBlocks<TBlock> : IDisposable
{
    private readonly BlockingCollection<(int Rows, TBlock Block)> _queue = new(boundedCapacity: 2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private ExceptionDispatchInfo? _error;

    public ComputedBlocks(IEnumerable<ImpressionBatch> batches, Func<ImpressionBatch, TBlock> compute)
    {
        // A thread of its own (not the pool's): a cursor left undisposed must not hold a pool thread.
        _producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var batch in batches)
                {
                    if (_stop.IsCancellationRequested) break;
                    _queue.Add((batch.Count, compute(batch)), _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next computed block and its row count; false when the rows are exhausted.</summary>
    public bool Next(out int rows, out TBlock? block)
    {
        if (_queue.TryTake(out var item, Timeout.Infinite))
        {
            (rows, block) = item;
            return true;
        }
        _producer.Wait();
        _error?.Throw();
        (rows, block) = (0, default);
        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _producer.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
        _queue.Dispose();
        _stop.Dispose();
    }
}
