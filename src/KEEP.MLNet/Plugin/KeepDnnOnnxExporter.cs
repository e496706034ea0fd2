using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Knowledge.Onnx;
using static TorchSharp.torch;

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
        if (model.Knowledge != null && model.KnowledgeModel == null)
            throw new NotSupportedException("This KEEP DNN reads cached knowledge from a store; only a DNN plugged with a pre-trained model (exact knowledge) embeds its knowledge network in ONNX.");
        if (model.KnowledgeModel is { } k && k.Options.HistoryLength != length)
            throw new ArgumentException($"The knowledge model reads {k.Options.HistoryLength} behaviours and the DNN {length}; one history column cannot serve both.", nameof(model));
        OnnxLayers.DeclareInputs(g, names, length);
        var (embeddings, attention, layers, output, plugin, pluginLayer) = model.Network.Parts;
        string? knowledge = model.KnowledgeModel == null ? null : Knowledge(g, model, names);

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

    /// <summary>K(u, i) of the kinds the DNN was trained with, in its order [K_u, K_i, K_ui].</summary>
    private static string Knowledge(OnnxGraph g, KeepDnn model, KnowledgeOnnxNames names)
    {
        var knowledge = model.KnowledgeModel!;
        var (user, item, interaction) = KnowledgeOnnxExporter.AddKnowledge(g, knowledge, names, [.. Enumerable.Range(0, knowledge.Options.Tasks.Count)]);
        var parts = new List<string>();
        if (model.Options.Knowledge.HasFlag(KnowledgeKinds.User)) parts.Add(user);
        if (model.Options.Knowledge.HasFlag(KnowledgeKinds.Item)) parts.Add(item);
        if (model.Options.Knowledge.HasFlag(KnowledgeKinds.Interaction)) parts.Add(interaction);
        return parts.Count == 1 ? parts[0] : g.Node("Concat", [.. parts], OnnxAttribute.Int("axis", 1));
    }

    /// <summary>(K − mean) / √(var + ε) · γ + β as one Mul and one Add, then the MLP.</summary>
    private static string Plugin(OnnxGraph g, KnowledgePlugin plugin, string knowledge)
    {
        var (normalise, hidden, output) = plugin.Layers;
        using var _ = no_grad();
        var scale = normalise.weight! / (normalise.running_var! + KnowledgePlugin.NormalisationEpsilon).sqrt();
        var shift = normalise.bias! - normalise.running_mean! * scale;
        string x = g.Node("Add", [g.Node("Mul", [knowledge, OnnxLayers.Weights(g, "plugin_scale", scale)]), OnnxLayers.Weights(g, "plugin_shift", shift)]);
        foreach (var (layer, index) in hidden.Select((l, i) => (l, i))) x = g.Node("Relu", [OnnxLayers.Dense(g, $"plugin_hidden{index}", layer, x)]);
        return OnnxLayers.Dense(g, "plugin_output", output, x);
    }
}
