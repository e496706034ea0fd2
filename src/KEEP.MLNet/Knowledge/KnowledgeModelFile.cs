using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using KEEP.MLNet.Pretraining;
using Microsoft.ML;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// The file <c>keep pretrain</c> writes: an ordinary ML.NET model zip (the portable ONNX knowledge
/// transformer, for <c>mlContext.Model.Load</c> and <c>PredictionEngine</c> anywhere) that also carries the
/// KEEP checkpoint as one more entry, so the same file serves the fast batched path and continued training.
/// ML.NET ignores entries it does not know.
/// </summary>
public static class KnowledgeModelFile
{
    /// <summary>The zip entry holding the checkpoint.</summary>
    public const string CheckpointEntry = ModelZip.KnowledgeCheckpointEntry;

    /// <summary>Saves <paramref name="transformer"/> for inputs of <paramref name="inputSchema"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(MLContext mlContext, KnowledgeExtractionTransformer transformer, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ModelZip.Save(mlContext, transformer, inputSchema, path, CheckpointEntry, transformer.Model.Save);
    }

    /// <summary>True when <paramref name="path"/> carries a KEEP checkpoint.</summary>
    public static bool HasCheckpoint(string path) => ModelZip.HasEntry(path, CheckpointEntry);

    /// <summary>Loads the checkpoint carried by a knowledge model file (or a bare checkpoint file).</summary>
    public static PretrainedModel LoadCheckpoint(string path)
        => WithCheckpoint(path, PretrainedModel.Load, PretrainedModel.Load);

    /// <summary>Reads only the options of the checkpoint in a knowledge model file (or a bare checkpoint file).</summary>
    public static PretrainingOptions ReadOptions(string path)
        => WithCheckpoint(path, PretrainedModel.ReadOptions, PretrainedModel.ReadOptions);

    private static T WithCheckpoint<T>(string path, Func<string, T> bare, Func<Stream, string, T> embedded) where T : class
    {
        var found = ModelZip.ReadEntry(path, CheckpointEntry, embedded);
        if (found != null) return found;
        using var zip = ModelZip.Open(path);
        if (Training.ModelArchive.KindOf(zip) == Training.ModelKind.Pretrained.Name || zip.GetEntry("keep.json") != null) return bare(path);
        throw new DataFormatException(path, null, null, $"has no KEEP checkpoint (entry '{CheckpointEntry}'); it is {Training.ModelArchive.Describe(zip)}");
    }
}
