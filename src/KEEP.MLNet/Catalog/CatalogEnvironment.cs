using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace KEEP.MLNet;

/// <summary>
/// The <see cref="MLContext"/> environment behind a catalog, so that KEEP's catalog methods get the user's seed and log
/// as ML.NET's own trainers do. ML.NET exposes it only through its internal <c>IInternalCatalog.Environment</c>; read by
/// reflection, and null (KEEP's own defaults apply) should a later ML.NET rename it.
/// </summary>
internal static class CatalogEnvironment
{
    private static readonly PropertyInfo? Environment = typeof(MLContext).Assembly.GetType("Microsoft.ML.Data.IInternalCatalog")?.GetProperty("Environment");

    public static IHostEnvironment? Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        try
        {
            return Environment?.GetValue(catalog) as IHostEnvironment;
        }
        catch (TargetException)
        {
            return null;
        }
    }
}
