using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// A trained downstream KEEP DNN: network, its own vocabularies, the knowledge model it reads (if plugged)
/// and its loss curve. Predicts probabilities for blocks of rows.
/// </summary>
public sealed class KeepDnn : IDisposable
{
    internal KeepDnn(KeepDnnOptions options, FeatureVocabularies vocabularies, KeepDnnModel network, PretrainedModel? knowledge, IReadOnlyList<double> losses)
    {
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
    /// <summary>The knowledge model feeding the plug-in; null for a model without knowledge.</summary>
    public PretrainedModel? Knowledge { get; }
    /// <summary>Mean training loss per step window.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>Click (or the configured label's) probability for every row of a batch.</summary>
    public float[] Predict(ImpressionBatch batch) => [.. Logits(batch).Select(Sigmoid)];

    /// <summary>The logit (the <c>Score</c> column) for every row of a batch.</summary>
    public float[] Logits(ImpressionBatch batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Network.eval();
        var input = ModelInput.From(batch, 0, batch.Count, Vocabularies, Options.HistoryLength);
        var knowledge = KnowledgeArrays(batch, Knowledge, Options.Knowledge);
        return Network.forward((input.ToTensors(), knowledge == null ? null : tensor(knowledge, [batch.Count, Network.KnowledgeDim]))).data<float>().ToArray();
    }

    /// <summary>The logistic function in single precision, as the ONNX export computes it.</summary>
    internal static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));

    /// <summary>K(u, i) of the chosen kinds, row-major [rows × width]; null without a knowledge model.</summary>
    internal static float[]? KnowledgeArrays(ImpressionBatch batch, PretrainedModel? model, KnowledgeKinds kinds)
    {
        if (model == null) return null;
        var block = model.Extract(batch);
        int width = Width(model, kinds);
        var result = new float[batch.Count * width];
        for (int r = 0; r < batch.Count; r++)
        {
            var row = result.AsSpan(r * width, width);
            int offset = 0;
            if (kinds.HasFlag(KnowledgeKinds.User)) Copy(block.User, r, model.UserKnowledgeDim, row, ref offset);
            if (kinds.HasFlag(KnowledgeKinds.Item)) Copy(block.Item, r, model.ItemKnowledgeDim, row, ref offset);
            if (kinds.HasFlag(KnowledgeKinds.Interaction)) Copy(block.Interaction, r, model.InteractionKnowledgeDim, row, ref offset);
        }
        return result;
    }

    /// <summary>Width of K(u, i) for the chosen kinds.</summary>
    internal static int Width(PretrainedModel model, KnowledgeKinds kinds)
        => (kinds.HasFlag(KnowledgeKinds.User) ? model.UserKnowledgeDim : 0)
         + (kinds.HasFlag(KnowledgeKinds.Item) ? model.ItemKnowledgeDim : 0)
         + (kinds.HasFlag(KnowledgeKinds.Interaction) ? model.InteractionKnowledgeDim : 0);

    private static void Copy(float[] source, int row, int width, Span<float> target, ref int offset)
    {
        source.AsSpan(row * width, width).CopyTo(target[offset..]);
        offset += width;
    }

    /// <summary>Releases the network (not the knowledge model, which the caller owns).</summary>
    public void Dispose() => Network.Dispose();
}
