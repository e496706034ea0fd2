[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 2)]

namespace KEEP.MLNet.Tests;

/// <summary>Process-wide set-up a user's application would do once.</summary>
[TestClass]
public static class TestAssemblySetup
{
    /// <summary>Redis locations (redis://…) open through KnowledgeStore.Open, as in an application referencing KEEP.MLNet.Redis.</summary>
    [AssemblyInitialize]
    public static void RegisterStores(TestContext context) => KEEP.MLNet.Serving.RedisKnowledgeStore.Register();

    /// <summary>The run's temporary worlds, models and stores go when it ends (they filled the disk of a machine once).</summary>
    [AssemblyCleanup]
    public static void DeleteTemporaryFolders() => TestWorlds.DeleteTempFolders();
}
