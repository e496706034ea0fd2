using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Architecture;

/// <summary>
/// TorchSharp passes only a Scalar's native handle to libtorch, so a temporary Scalar (from an implicit conversion of a
/// number, or the 1 that <c>add(target)</c> makes) can be finalized while libtorch reads it: random "toFloat" assertion
/// failures and crashes, seen here in training. The library's code makes no such temporary outside <c>HeldScalars</c>.
/// </summary>
[TestClass]
public sealed class HeldScalarUseTests
{
    [TestMethod]
    [DataRow("KEEP.MLNet")]
    [DataRow("KEEP.MLNet.Experiments")]
    public void No_temporary_scalar_reaches_libtorch(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var offending = TypeReferences.Calls(assembly)
            .Where(c => c.Caller.DeclaringType?.Name != "HeldScalars" && Dangerous(c.Called))
            .Select(c => $"{c.Caller.DeclaringType?.FullName}.{c.Caller.Name} calls {c.Called.DeclaringType?.Name}.{c.Called.Name}({string.Join(", ", c.Called.GetParameters().Select(p => p.ParameterType.Name))})")
            .Distinct().ToList();
        Assert.IsEmpty(offending, "use HeldScalars (Plus, Times, …) instead:\n" + string.Join("\n", offending));
    }

    [TestMethod]
    public void The_scan_sees_the_calls_it_forbids()
    {
        // This test's own assembly uses them (below): the scan must find both.
        var calls = TypeReferences.Calls(typeof(HeldScalarUseTests).Assembly).Where(c => c.Caller.Name == nameof(Forbidden) && Dangerous(c.Called)).ToList();
        Assert.HasCount(2, calls.Select(c => c.Called.Name).Distinct().ToList(), string.Join(", ", calls.Select(c => c.Called.Name)));
    }

    private static Tensor Forbidden(Tensor a, Tensor b) => (a + b).mul(2);

    private static bool Dangerous(MethodBase called)
    {
        var parameters = called.GetParameters();
        // A number turned into a Scalar on the spot.
        if (called.Name == "op_Implicit" && called is MethodInfo { ReturnType: var r } && r == typeof(Scalar)) return true;
        // tensor + tensor, and add/add_ without alpha: TorchSharp makes the alpha 1 as a temporary.
        if (called.DeclaringType == typeof(Tensor) || called.DeclaringType == typeof(torch))
            return called.Name is "op_Addition" or "add" or "add_" && parameters.Length <= 2 && parameters.All(p => p.ParameterType == typeof(Tensor));
        return false;
    }
}
