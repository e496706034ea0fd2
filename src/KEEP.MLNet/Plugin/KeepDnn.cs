using KEEP.MLNet.Data;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained downstream KEEP DNN: network, its own vocabularies, the knowledge model it reads (if plugged)
/// and its loss curve. Predicts probabilities for blocks of rows.
/// </summary>
public sealed class KeepDnn : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;

    // owned: what this model disposes with its network (the knowledge models a checkpoint loaded for it).
    internal KeepDnn(KeepDnnOptions options, FeatureVocabularies vocabularies, KeepDnnModel network, IKnowledgeSource? knowledge, IReadOnlyList<double> losses,
        IReadOnlyList<IDisposable>? owned = null, Training.AdamSlots? optimizerState = null)
    {
        _owned = owned ?? [];
        OptimizerState = optimizerState;
        Options = options;
        Vocabularies = vocabularies;
        Network = network;
        Knowledge = knowledge;
        Losses = losses;
    }

    /// <summary>The settings.</summary>
    public KeepDnnOptions Options { get; }
    /// <summary>The downstream vocabularies (built from the downstream training rows).</summary>
    public FeatureVocabularies Vocabularies { get; }
    /// <summary>The network.</summary>
    public KeepDnnModel Network { get; }
    /// <summary>Where the plug-in's knowledge comes from; null for a model without knowledge.</summary>
    public IKnowledgeSource? Knowledge { get; }

    /// <summary>The pre-trained KEEP model when KEEP knowledge is computed exactly by it (alone or beside other sources); else null.</summary>
    public PretrainedModel? KnowledgeModel => KnowledgeParts.Of(Knowledge).OfType<ExactKnowledge>().FirstOrDefault()?.Model;
    /// <summary>Mean training loss per window of <see cref="KeepDnnTrainer.LossWindow"/> steps (the last window may be shorter).</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>The optimizer's state as the last training run ended (null before any, or when not kept): the next run continues it.</summary>
    internal Training.AdamSlots? OptimizerState { get; }

    /// <summary>Click (or the configured label's) probability for every row of a batch.</summary>
    public float[] Predict(ImpressionBatch batch) => [.. Logits(batch).Select(KeepDnnColumns.Sigmoid)];

    /// <summary>The logit (the <c>Score</c> column) for every row of a batch.</summary>
    public float[] Logits(ImpressionBatch batch) => Logits(batch, Knowledge);

    /// <summary>
    /// Probabilities with the plug-in reading <paramref name="knowledge"/> instead of the source the model trained with: a
    /// newer knowledge version (to measure version skew), or one aligned to the trained version (<c>Serving.AlignedKnowledge</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no knowledge plug-in.</exception>
    /// <exception cref="ArgumentException">The source's width differs from the plug-in's.</exception>
    public float[] Predict(ImpressionBatch batch, IKnowledgeSource knowledge)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        if (Knowledge == null) throw new InvalidOperationException("This model has no knowledge plug-in to read another knowledge source.");
        if (knowledge.Width != Network.KnowledgeDim) throw new ArgumentException($"The plug-in reads {Network.KnowledgeDim} floats per row; the source gives {knowledge.Width}.", nameof(knowledge));
        return [.. Logits(batch, knowledge).Select(KeepDnnColumns.Sigmoid)];
    }

    private float[] Logits(ImpressionBatch batch, IKnowledgeSource? source)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var knowledge = source?.Compute(batch);
        int width = Network.KnowledgeDim;
        return InferencePasses.Join([.. InferencePasses.Over(batch.Count).Select(pass =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Network.eval();
            var input = ModelInput.From(batch, pass.Start, pass.Count, Vocabularies, Options.HistoryLength);
            var rows = knowledge == null ? null : tensor(knowledge.AsSpan(pass.Start * width, pass.Count * width).ToArray(), [pass.Count, width]);
            return Network.forward((input.ToTensors(), rows)).data<float>().ToArray();
        })]);
    }


    /// <summary>Releases the network, and the knowledge models when this model was loaded with them from a checkpoint.</summary>
    public void Dispose()
    {
        Network.Dispose();
        OptimizerState?.Dispose();
        foreach (var owned in _owned) owned.Dispose();
    }

    /// <summary>The same model with a new network state and loss curve (after more training) and the optimizer's state it ended with.</summary>
    internal KeepDnn With(IReadOnlyList<double> losses, Training.AdamSlots? optimizerState) => new(Options, Vocabularies, Network, Knowledge, losses, _owned, optimizerState);
}
