using Microsoft.ML;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>Loads any saved ML.NET zip as plain ML.NET does (with KEEP's mappings registered).</summary>
internal static class SavedModel
{
    /// <summary>The model and the history length its input schema expects (50 when the schema does not say).</summary>
    public static ITransformer Load(MLContext ml, string path, out int historyLength)
    {
        var model = KeepModel.Load(ml, path, out var schema);
        historyLength = KeepModel.HistoryLengthOf(schema);
        return model;
    }
}
