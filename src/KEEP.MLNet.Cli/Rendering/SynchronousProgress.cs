namespace KEEP.MLNet.Cli.Rendering;

/// <summary>Reports on the calling thread (no thread hop, no reordering), so bars and lines update in order.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
