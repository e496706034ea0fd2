namespace KEEP.MLNet.Knowledge;

/// <summary>Which knowledge columns to add (paper §3.2.3).</summary>
[Flags]
public enum KnowledgeKinds
{
    /// <summary>K_u: the user-id embedding.</summary>
    User = 1,
    /// <summary>K_i: the item, shop and category embeddings.</summary>
    Item = 2,
    /// <summary>K_ui: every task tower's last hidden layer.</summary>
    Interaction = 4,
    /// <summary>All three.</summary>
    All = User | Item | Interaction,
}
