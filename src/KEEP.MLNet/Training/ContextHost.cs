using Microsoft.ML.Runtime;

namespace KEEP.MLNet.Training;

/// <summary>
/// The user's <c>MLContext</c> as a KEEP estimator sees it: its seed (drawn as ML.NET's own trainers draw theirs) and its
/// log. Null-safe: without a context every member falls back to KEEP's defaults. (ML.NET 5 has no public way to cancel a
/// context, so cancellation reaches the estimators through their options' token.)
/// </summary>
internal sealed class ContextHost
{
    private readonly IHost? _host;

    public ContextHost(IHostEnvironment? environment, string name) => _host = environment?.Register(name);

    /// <summary>The seed: <paramref name="given"/>, else the context's next draw, else <paramref name="fallback"/>.</summary>
    public int Seed(int? given, int fallback) => given ?? (_host != null ? _host.Rand.Next() : fallback);

    /// <summary>A channel of the context's log, or null without a context.</summary>
    public IChannel? Start(string stage) => _host?.Start(stage);

    /// <summary>Writes an information message to <paramref name="channel"/> when there is one.</summary>
    public static void Info(IChannel? channel, string message) => channel?.Info(MessageSensitivity.None, message);

    /// <summary>Forwards progress to <paramref name="inner"/> and traces it to <paramref name="channel"/>.</summary>
    public static IProgress<T>? Traced<T>(IChannel? channel, IProgress<T>? inner, Func<T, string> describe)
        => channel == null ? inner : new TracedProgress<T>(channel, inner, describe);

    private sealed class TracedProgress<T>(IChannel channel, IProgress<T>? inner, Func<T, string> describe) : IProgress<T>
    {
        public void Report(T value)
        {
            channel.Trace(MessageSensitivity.None, describe(value));
            inner?.Report(value);
        }
    }
}
