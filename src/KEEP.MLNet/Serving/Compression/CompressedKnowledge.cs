namespace KEEP.MLNet.Serving.Compression;

/// <summary>How well the compressed knowledge reproduces K_ui on held-out super-domain rows (R², 1 = exact).</summary>
/// <param name="DecompositionTrainR2">R² of K̂_u ⊙ K̂_i on the rows the student was trained on.</param>
/// <param name="DecompositionHoldoutR2">R² of K̂_u ⊙ K̂_i on held-out rows.</param>
/// <param name="DegenerationHoldoutR2">R² of K_uc (the item replaced by its category) on held-out rows.</param>
/// <param name="Rows">Sampled rows (training + held out).</param>
public sealed record CompressionFit(double DecompositionTrainR2, double DecompositionHoldoutR2, double DegenerationHoldoutR2, int Rows);

/// <summary>
/// Knowledge in cacheable form (paper §4): per user [K_u, K̂_u], per item [K_i, K̂_i], and per (user,
/// category) K̂_uc — N_u + N_i + N_uc entries instead of N_u × N_i. <see cref="ToTables"/> gives the tables
/// to publish to a knowledge store.
/// </summary>
public sealed class CompressedKnowledge
{
    internal CompressedKnowledge(KnowledgeTable users, KnowledgeTable items, KnowledgeTable userCategories, int userDim, int itemDim, CompressionFit fit)
    {
        Users = users;
        Items = items;
        UserCategories = userCategories;
        UserKnowledgeDim = userDim;
        ItemKnowledgeDim = itemDim;
        Fit = fit;
    }

    /// <summary>Per user: K_u then K̂_u.</summary>
    public KnowledgeTable Users { get; }
    /// <summary>Per item: K_i then K̂_i.</summary>
    public KnowledgeTable Items { get; }
    /// <summary>Per (user, category): K̂_uc.</summary>
    public KnowledgeTable UserCategories { get; }
    /// <summary>Width of K_u at the start of each user vector.</summary>
    public int UserKnowledgeDim { get; }
    /// <summary>Width of K_i at the start of each item vector.</summary>
    public int ItemKnowledgeDim { get; }
    /// <summary>Width of K̂_u, K̂_i and K̂_uc (that of K_ui).</summary>
    public int InteractionDim => UserCategories.Dimension;
    /// <summary>How well the compression fits.</summary>
    public CompressionFit Fit { get; }

    /// <summary>Cached entries: N_u + N_i + N_uc.</summary>
    public long Entries => (long)Users.Count + Items.Count + UserCategories.Count;

    /// <summary>The three tables, for <see cref="IKnowledgeStore.Publish"/>.</summary>
    public IReadOnlyCollection<KnowledgeTable> ToTables() => [Users, Items, UserCategories];
}
