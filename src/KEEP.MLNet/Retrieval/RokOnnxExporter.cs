using KEEP.MLNet.Knowledge.Onnx;

namespace KEEP.MLNet.Retrieval;

/// <summary>Writes a <see cref="RokModel"/> as ONNX: raw ids → feature-wise and instance-wise knowledge.</summary>
internal static class RokOnnxExporter
{
    /// <summary>A self-contained model with outputs <paramref name="instance"/> [N, InstanceDim] and <paramref name="fields"/> [N, FieldsDim] (either may be null).</summary>
    public static byte[] Export(RokModel model, KnowledgeOnnxNames names, string? instance, string? fields)
    {
        var g = new OnnxGraph();
        OnnxLayers.DeclareInputs(g, names, model.Options.HistoryLength);
        var (fieldValues, instanceValues) = Add(g, model, names);
        if (instance != null)
        {
            g.NodeTo(instance, "Identity", [instanceValues]);
            g.Output(instance, OnnxType.Float, null, model.InstanceDim);
        }
        if (fields != null)
        {
            g.NodeTo(fields, "Identity", [fieldValues]);
            g.Output(fields, OnnxType.Float, null, model.FieldsDim);
        }
        g.Metadata("keep.model", "ROK knowledge base");
        return g.ToModel("rok_knowledge");
    }

    /// <summary>Adds the knowledge base to a graph whose inputs are declared; returns the field embeddings and the reconstruction.</summary>
    public static (string Fields, string Instance) Add(OnnxGraph g, RokModel model, KnowledgeOnnxNames names)
    {
        var network = model.Network;
        var (user, target, behaviours, mask) = OnnxLayers.Embedded(g, "rok", names, model.Vocabularies, network.Embedding.Embeddings);
        string fields = g.Node("Concat", [user, target], OnnxAttribute.Int("axis", 1));
        string axis1 = g.Longs("axis1", [1], 1);
        string summed = g.Node("ReduceSum", [g.Node("Mul", [behaviours, g.Node("Unsqueeze", [mask, g.Longs("axis_last", [-1], 1)])]), axis1], OnnxAttribute.Int("keepdims", 0));
        string count = g.Node("Max", [g.Node("ReduceSum", [mask, axis1], OnnxAttribute.Int("keepdims", 1)), g.Weights("one", [1f], 1)]);
        string x = g.Node("Concat", [fields, g.Node("Div", [summed, count])], OnnxAttribute.Int("axis", 1));
        var (hidden, output) = network.Encoder;
        for (int m = 0; m < hidden.Count; m++) x = g.Node("Relu", [OnnxLayers.Dense(g, $"rok_encoder{m}", hidden[m], x)]);
        return (fields, OnnxLayers.Dense(g, "rok_encoder_output", output, x));
    }
}
