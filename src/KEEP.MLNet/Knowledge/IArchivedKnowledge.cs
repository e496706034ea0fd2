namespace KEEP.MLNet.Knowledge;

/// <summary>
/// A knowledge source a KEEP DNN checkpoint can carry: it saves the model it computes with, and its kind
/// reads that model back. A kind registers itself by implementing this interface (see
/// <see cref="KnowledgeArchive"/>); a checkpoint never names the concrete kinds.
/// </summary>
internal interface IArchivedKnowledge : IKnowledgeSource
{
    /// <summary>The name checkpoints record for this kind (stable across versions: files carry it).</summary>
    static abstract string ArchiveKind { get; }

    /// <summary>Rebuilds a source from its saved model and <paramref name="settings"/> (empty: the kind's defaults); the result owns the model.</summary>
    static abstract LoadedKnowledge Load(Stream model, string name, string settings);

    /// <summary>What the kind needs besides the model to rebuild this source (e.g. which parts of its knowledge), as text.</summary>
    string ArchiveSettings { get; }

    /// <summary>Writes the model the source computes with.</summary>
    void SaveModel(Stream stream);
}

/// <summary>A knowledge source read back from a checkpoint and the model it owns (disposed with the DNN that reads it).</summary>
internal sealed record LoadedKnowledge(IKnowledgeSource Source, IDisposable Model)
{
    /// <summary>The source <paramref name="create"/> makes over a freshly loaded <paramref name="model"/>; the model is disposed when that fails.</summary>
    public static LoadedKnowledge Over<TModel>(TModel model, Func<TModel, IKnowledgeSource> create) where TModel : IDisposable
    {
        try
        {
            return new LoadedKnowledge(create(model), model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
