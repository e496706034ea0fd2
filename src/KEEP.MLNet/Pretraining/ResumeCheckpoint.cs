using KEEP.MLNet.Training;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// What a killed pre-training run needs to continue exactly: the model so far (weights, vocabularies,
/// history), the optimizer's moments and step counts, and the position in the day-ordered, shuffled stream of
/// blocks. Written atomically (temporary file, then rename) at loss-window boundaries, so a kill at any
/// moment leaves either the previous checkpoint or the new one, never a torn file.
/// </summary>
internal static class ResumeCheckpoint
{
    /// <summary>Where training stood when the checkpoint was written.</summary>
    /// <param name="ShuffleBase">History steps when this training call started (seeds the shuffle).</param>
    /// <param name="Steps">Blocks trained in this call.</param>
    /// <param name="Rows">Rows trained in this call.</param>
    /// <param name="Truncated">Behaviours truncated in this call.</param>
    /// <param name="StartHistory">The model's history when this call started.</param>
    internal sealed record Position(long ShuffleBase, long Steps, long Rows, long Truncated, TrainingHistory StartHistory);

    public static void Write(string path, PretrainedModel model, Training.ITrainingOptimizer optimizer, Position position)
        => ResumeArchive.Write(path, position, model.WriteTo, optimizer);

    /// <summary>Writes a checkpoint whose optimizer state of kind <paramref name="kind"/> <paramref name="writeOptimizer"/> writes (a sharded run's, assembled whole).</summary>
    public static void Write(string path, PretrainedModel model, Training.EmbeddingUpdates kind, Action<Stream> writeOptimizer, Position position)
        => ResumeArchive.Write(path, position, model.WriteTo, kind, writeOptimizer);

    public static ResumeState<PretrainedModel, Position> Read(string path)
        => ResumeArchive.Read<PretrainedModel, Position>(path, PretrainedModel.ReadFrom, "model.keep", PretrainedModel.Load, "resume checkpoint");
}
