namespace KEEP.MLNet.Data;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the calling thread, in order — unlike
/// <see cref="Progress{T}"/>, which posts to a synchronization context or the thread pool and may reorder
/// or outlive the work. Use it for the <c>Progress</c> properties of KEEP's trainers when a console bar,
/// a log line or a test must see every report as it happens.
/// </summary>
/// <typeparam name="T">What is reported.</typeparam>
/// <param name="report">Called with every report.</param>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Action<T> _report = report ?? throw new ArgumentNullException(nameof(report));

    /// <inheritdoc/>
    public void Report(T value) => _report(value);
}
