using Microsoft.ML;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// Knowledge that <c>KeepPlugin</c> can append to any trainer's features beside KEEP's: the options of an
/// estimator that adds knowledge columns computed from the rows (ROK's <c>RokKnowledgeOptions</c> is one). The
/// plug-in asks for the estimator and its columns and names no concrete kind.
/// </summary>
public interface IPluggableKnowledge
{
    /// <summary>The columns the estimator adds, in the order they are appended to the features.</summary>
    IReadOnlyList<string> OutputColumnNames { get; }

    /// <summary>
    /// The estimator that adds <see cref="OutputColumnNames"/>. Throws <see cref="ArgumentException"/> when it
    /// has no trained model to compute with (a plug-in does not train knowledge on the trainer's data).
    /// </summary>
    IEstimator<ITransformer> CreatePluginEstimator();
}
