using Microsoft.ML;

namespace KEEP.MLNet;

/// <summary>Loading saved KEEP models with plain ML.NET.</summary>
public static class KeepModel
{
    /// <summary>
    /// Registers KEEP's custom mappings with <paramref name="mlContext"/> (needed once per context before
    /// <c>mlContext.Model.Load</c> of a KEEP DNN zip) and returns the context.
    /// </summary>
    public static MLContext Register(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(KeepModel).Assembly);
        return mlContext;
    }

    /// <summary>
    /// <c>mlContext.Model.Load</c> after <see cref="Register"/>: loads any ML.NET zip, including KEEP knowledge
    /// and KEEP DNN models.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Data.DataFormatException">The file is not an ML.NET model zip.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model not found.", path);
        try
        {
            return Register(mlContext).Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException)
        {
            throw new Data.DataFormatException(path, null, null, $"not an ML.NET model zip ({e.Message})", e);
        }
    }

    /// <summary>Behaviours per row a model with this input schema reads: the size of its <c>HistoryItemIds</c> vector, 50 when the schema does not fix one.</summary>
    public static int HistoryLengthOf(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return inputSchema.GetColumnOrNull(Data.ImpressionColumns.HistoryItemIds)?.Type is Microsoft.ML.Data.VectorDataViewType { Size: > 0 } v ? v.Size : Data.ImpressionInput.HistoryLength;
    }
}
