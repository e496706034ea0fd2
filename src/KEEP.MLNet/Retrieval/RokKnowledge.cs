using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge.Onnx;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// ROK knowledge as a plug-in input for the KEEP DNN: instance-wise, feature-wise or both (in that order).
/// Combine it with KEEP's K(u, i) through <see cref="Plugin.CombinedKnowledge"/>.
/// </summary>
public sealed class RokKnowledge : IKnowledgeSource, IPortableKnowledge, IArchivedKnowledge
{
    /// <summary>Creates the source (the model is not disposed by it).</summary>
    public RokKnowledge(RokModel model, RokKnowledgeKinds kinds = RokKnowledgeKinds.Instance)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        if (kinds == 0 || (kinds & ~RokKnowledgeKinds.Both) != 0) throw new ArgumentException("Name at least one kind of ROK knowledge.", nameof(kinds));
        Kinds = kinds;
        Width = (kinds.HasFlag(RokKnowledgeKinds.Instance) ? model.InstanceDim : 0) + (kinds.HasFlag(RokKnowledgeKinds.Fields) ? model.FieldsDim : 0);
    }

    /// <summary>The knowledge base.</summary>
    public RokModel Model { get; }
    /// <summary>The kinds plugged in.</summary>
    public RokKnowledgeKinds Kinds { get; }
    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public float[] Compute(ImpressionBatch rows)
    {
        var block = Model.Compute(rows);
        if (Kinds == RokKnowledgeKinds.Instance) return block.Instance;
        if (Kinds == RokKnowledgeKinds.Fields) return block.Fields;
        var result = new float[rows.Count * Width];
        for (int r = 0; r < rows.Count; r++)
        {
            block.Instance.AsSpan(r * Model.InstanceDim, Model.InstanceDim).CopyTo(result.AsSpan(r * Width));
            block.Fields.AsSpan(r * Model.FieldsDim, Model.FieldsDim).CopyTo(result.AsSpan(r * Width + Model.InstanceDim));
        }
        return result;
    }

    int? IPortableKnowledge.HistoryLength => Model.Options.HistoryLength;

    string IPortableKnowledge.AddTo(OnnxGraph g, KnowledgeOnnxNames names)
    {
        var (fields, instance) = RokOnnxExporter.Add(g, Model, names);
        return Kinds switch
        {
            RokKnowledgeKinds.Instance => instance,
            RokKnowledgeKinds.Fields => fields,
            _ => g.Node("Concat", [instance, fields], OnnxAttribute.Int("axis", 1)),
        };
    }

    static string IArchivedKnowledge.ArchiveKind => "rok";

    string IArchivedKnowledge.ArchiveSettings => Kinds.ToString();

    void IArchivedKnowledge.SaveModel(Stream stream) => Model.Save(stream);

    static LoadedKnowledge IArchivedKnowledge.Load(Stream model, string name, string settings)
    {
        var kinds = settings.Length == 0 ? RokKnowledgeKinds.Instance : Enum.Parse<RokKnowledgeKinds>(settings);
        return LoadedKnowledge.Over(RokModel.Load(model, name), loaded => new RokKnowledge(loaded, kinds));
    }
}
