namespace KEEP.MLNet.Tests;

/// <summary>Where the repository is, seen from the test output.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KEEP.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("KEEP.MLNet.sln not found above the test output.");
    }
}
