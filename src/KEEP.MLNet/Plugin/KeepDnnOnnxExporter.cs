using KEEP.MLNet.Training;
using KEEP.MLNet.Knowledge.Onnx;
using static TorchSharp.torch;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// Writes a trained <see cref="KeepDnn"/> — and, when plugged, the knowledge network feeding it — as one
/// ONNX model from raw ids to <c>Score</c> (the logit) and <c>Probability</c>, each [N, 1]. The plug-in's
/// batch normalisation is folded into a scale and a shift (inference statistics).
/// </summary>
public static class KeepDnnOnnxExporter
{
    /// <summary>
    /// The ONNX model bytes: <c>Score</c> (logit) and <c>Probability</c>, each [N, 1]. With
    /// <paramref name="perRow"/> (the form a saved zip holds) the only output is the logit, named
    /// <see cref="ScoreColumnsMapping.LogitColumn"/>, which <see cref="ScoreColumnsMapping"/> turns into
    /// ML.NET's scalar columns.
    /// </summary>
    public static byte[] Export(KeepDnn model, KnowledgeOnnxNames names, bool perRow = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        var g = new OnnxGraph();
        int length = model.Options.HistoryLength;
        var portable = model.Knowledge as IPortableKnowledge;
        if (model.Knowledge != null && portable == null)
            throw new NotSupportedException("This KEEP DNN reads cached knowledge from a store; only a DNN plugged with knowledge networks (a pre-trained KEEP model, a ROK knowledge base) embeds them in ONNX.");
        if (portable?.HistoryLength is int knowledgeLength && knowledgeLength != length)
            throw new ArgumentException($"The knowledge network reads {knowledgeLength} behaviours and the DNN {length}; one history column cannot serve both.", nameof(model));
        OnnxLayers.DeclareInputs(g, names, length);
        var (embeddings, attention, layers, output, plugin, pluginLayer) = model.Network.Parts;
        string? knowledge = portable?.AddTo(g, names);

        var (user, target, interest) = OnnxLayers.DinFront(g, "dnn", names, model.Vocabularies, embeddings, attention);
        string x = g.Node("Concat", [user, target, interest], OnnxAttribute.Int("axis", 1));
        for (int m = 0; m < layers.Count; m++)
        {
            x = g.Node("Relu", [OnnxLayers.Dense(g, $"dnn_layer{m}", layers[m], x)]);
            if (m == pluginLayer && plugin != null) x = g.Node("Add", [x, Plugin(g, plugin, knowledge!)]);
        }
        string logit = OnnxLayers.Dense(g, "dnn_output", output, x);
        g.NodeTo(perRow ? ScoreColumnsMapping.LogitColumn : KeepDnnColumns.Score, "Identity", [logit]);
        g.Output(perRow ? ScoreColumnsMapping.LogitColumn : KeepDnnColumns.Score, OnnxType.Float, null, 1);
        if (!perRow)
        {
            g.NodeTo(KeepDnnColumns.Probability, "Sigmoid", [KeepDnnColumns.Score]);
            g.Output(KeepDnnColumns.Probability, OnnxType.Float, null, 1);
        }
        g.Metadata("keep.model", "KEEP DNN");
        return g.ToModel("keep_dnn");
    }

    /// <summary>(K − mean) / √(var + ε) · γ + β as one Mul and one Add, then the MLP.</summary>
    private static string Plugin(OnnxGraph g, KnowledgePlugin plugin, string knowledge)
    {
        var (normalise, hidden, output) = plugin.Layers;
        using var _ = no_grad();
        var scale = normalise.weight! / normalise.running_var!.PlusValue(KnowledgePlugin.NormalisationEpsilon).sqrt();
        var shift = normalise.bias! - normalise.running_mean! * scale;
        string x = g.Node("Add", [g.Node("Mul", [knowledge, OnnxLayers.Weights(g, "plugin_scale", scale)]), OnnxLayers.Weights(g, "plugin_shift", shift)]);
        foreach (var (layer, index) in hidden.Select((l, i) => (l, i))) x = g.Node("Relu", [OnnxLayers.Dense(g, $"plugin_hidden{index}", layer, x)]);
        return OnnxLayers.Dense(g, "plugin_output", output, x);
    }
}
