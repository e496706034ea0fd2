using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Plugin;

/// <summary>K(u, i) computed by the pre-trained network: the chosen kinds in the order [K_u, K_i, K_ui].</summary>
public sealed class ExactKnowledge : IKnowledgeSource, IPortableKnowledge, IArchivedKnowledge
{
    /// <summary>Creates the source (the model is not disposed by it).</summary>
    public ExactKnowledge(PretrainedModel model, KnowledgeKinds kinds = KnowledgeKinds.All)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        if (kinds == 0 || (kinds & ~KnowledgeKinds.All) != 0) throw new ArgumentException("Name at least one kind of knowledge.", nameof(kinds));
        Kinds = kinds;
        Width = WidthOf(model, kinds);
    }

    /// <summary>The pre-trained model.</summary>
    public PretrainedModel Model { get; }
    /// <summary>The kinds plugged in.</summary>
    public KnowledgeKinds Kinds { get; }
    /// <inheritdoc/>
    public int Width { get; }

    /// <summary>Width of K(u, i) for the chosen kinds.</summary>
    public static int WidthOf(PretrainedModel model, KnowledgeKinds kinds)
    {
        ArgumentNullException.ThrowIfNull(model);
        return (kinds.HasFlag(KnowledgeKinds.User) ? model.UserKnowledgeDim : 0)
            + (kinds.HasFlag(KnowledgeKinds.Item) ? model.ItemKnowledgeDim : 0)
            + (kinds.HasFlag(KnowledgeKinds.Interaction) ? model.InteractionKnowledgeDim : 0);
    }

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var block = Model.Extract(rows);
        var result = new float[rows.Count * Width];
        for (int r = 0; r < rows.Count; r++)
        {
            var row = result.AsSpan(r * Width, Width);
            int offset = 0;
            if (Kinds.HasFlag(KnowledgeKinds.User)) Copy(block.User, r, Model.UserKnowledgeDim, row, ref offset);
            if (Kinds.HasFlag(KnowledgeKinds.Item)) Copy(block.Item, r, Model.ItemKnowledgeDim, row, ref offset);
            if (Kinds.HasFlag(KnowledgeKinds.Interaction)) Copy(block.Interaction, r, Model.InteractionKnowledgeDim, row, ref offset);
        }
        return result;
    }

    int? IPortableKnowledge.HistoryLength => Model.Options.HistoryLength;

    /// <summary>K(u, i) of the chosen kinds, in the order [K_u, K_i, K_ui], from the exported knowledge network.</summary>
    string IPortableKnowledge.AddTo(OnnxGraph g, KnowledgeOnnxNames names)
    {
        var (user, item, interaction) = KnowledgeOnnxExporter.AddKnowledge(g, Model, names, [.. Enumerable.Range(0, Model.Options.Tasks.Count)]);
        var parts = new List<string>();
        if (Kinds.HasFlag(KnowledgeKinds.User)) parts.Add(user);
        if (Kinds.HasFlag(KnowledgeKinds.Item)) parts.Add(item);
        if (Kinds.HasFlag(KnowledgeKinds.Interaction)) parts.Add(interaction);
        return parts.Count == 1 ? parts[0] : g.Node("Concat", [.. parts], OnnxAttribute.Int("axis", 1));
    }

    static string IArchivedKnowledge.ArchiveKind => "keep";

    string IArchivedKnowledge.ArchiveSettings => Kinds.ToString();

    void IArchivedKnowledge.SaveModel(Stream stream) => Model.Save(stream);

    static LoadedKnowledge IArchivedKnowledge.Load(Stream model, string name, string settings)
    {
        var kinds = settings.Length == 0 ? KnowledgeKinds.All : Enum.Parse<KnowledgeKinds>(settings);
        return LoadedKnowledge.Over(PretrainedModel.Load(model, name), loaded => new ExactKnowledge(loaded, kinds));
    }

    private static void Copy(float[] source, int row, int width, Span<float> target, ref int offset)
    {
        source.AsSpan(row * width, width).CopyTo(target[offset..]);
        offset += width;
    }
}
