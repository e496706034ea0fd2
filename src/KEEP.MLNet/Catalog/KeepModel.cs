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
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model not found.", path);
        return Register(mlContext).Model.Load(path, out inputSchema);
    }
}
