using KEEP.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>Loads any saved ML.NET zip as plain ML.NET does (with KEEP's mappings registered).</summary>
internal static class SavedModel
{
    /// <summary>The model and the history length its input schema expects (50 when the schema does not say).</summary>
    public static ITransformer Load(MLContext ml, string path, out int historyLength)
    {
        DataViewSchema schema;
        try
        {
            var model = KeepModel.Load(ml, path, out schema);
            historyLength = schema.GetColumnOrNull(ImpressionColumns.HistoryItemIds)?.Type is VectorDataViewType { Size: > 0 } v ? v.Size : 50;
            return model;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException)
        {
            throw new DataFormatException(path, null, null, $"not an ML.NET model zip ({e.Message})", e);
        }
    }
}
