using System.Reflection;
using Microsoft.ML;

namespace KEEP.MLNet.Tests;

/// <summary>
/// ML.NET turns a schema into a <see cref="SchemaShape"/> internally (EstimatorChain.Fit does it to validate a
/// whole pipeline before fitting); tests reach the same method to call GetOutputSchema directly.
/// </summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])
        ?? throw new InvalidOperationException("SchemaShape.Create(DataViewSchema) not found in this ML.NET version.");

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
