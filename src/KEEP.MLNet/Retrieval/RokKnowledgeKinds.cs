namespace KEEP.MLNet.Retrieval;

/// <summary>The ways ROK knowledge plugs into a CTR model.</summary>
[Flags]
public enum RokKnowledgeKinds
{
    /// <summary>Instance-wise: the reconstructed retrieval representation of the row, one vector.</summary>
    Instance = 1,
    /// <summary>Feature-wise: the retrieval-oriented embeddings of the row's user, item, shop and category.</summary>
    Fields = 2,
    /// <summary>Both, instance-wise first.</summary>
    Both = Instance | Fields,
}
