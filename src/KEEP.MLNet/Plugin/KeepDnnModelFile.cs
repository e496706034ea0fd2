using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Formats;
using Microsoft.ML;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// The file <c>keep train</c> writes for a KEEP DNN: an ordinary ML.NET model zip (for <c>KeepModel.Load</c>
/// and <c>PredictionEngine</c> anywhere) carrying the DNN checkpoint as one more entry, so the same file
/// continues training on the next days (<c>keep train --continue-from</c>).
/// </summary>
public static class KeepDnnModelFile
{
    /// <summary>The zip entry holding the DNN checkpoint.</summary>
    public const string CheckpointEntry = ModelZip.DnnCheckpointEntry;

    /// <summary>
    /// Saves <paramref name="transformer"/> for inputs of <paramref name="inputSchema"/> with its checkpoint
    /// (atomically). A DNN whose knowledge cannot be checkpointed (embedded or cached knowledge) is saved as
    /// the ML.NET zip alone: it predicts anywhere but cannot be continued.
    /// </summary>
    public static void Save(MLContext mlContext, KeepDnnTransformer transformer, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ModelZip.Save(mlContext, transformer, inputSchema, path, CheckpointEntry,
            KeepDnnCheckpoint.CanSave(transformer.Model) ? s => KeepDnnCheckpoint.Save(transformer.Model, s) : null);
    }

    /// <summary>Loads the DNN checkpoint a model file carries (with its knowledge model).</summary>
    public static KeepDnn LoadCheckpoint(string path)
    {
        var found = ModelZip.ReadEntry(path, CheckpointEntry, KeepDnnCheckpoint.Load);
        if (found != null) return found;
        using var zip = ModelZip.Open(path);
        throw new DataFormatException(path, null, null,
            $"has no KEEP DNN checkpoint (entry '{CheckpointEntry}'; saved by KeepDnnModelFile.Save or 'keep train'); it is {Training.ModelArchive.Describe(zip)}");
    }
}
