namespace KEEP.MLNet.Tests.Docs;

[TestClass]
public sealed class DocsTests
{
    [TestMethod]
    public void Getting_started_sample_runs()
    {
        var (metrics, probability) = GettingStartedSample.Run(TestWorlds.TempFolder("getting-started"));
        Assert.IsTrue(metrics.Gauc is > 0 and < 1, $"{metrics}");
        Assert.IsTrue(probability is > 0 and < 1);
    }

    [TestMethod]
    public void Getting_started_doc_shows_the_compiled_sample_verbatim()
    {
        string root = TestPaths.RepositoryRoot();
        var sample = File.ReadAllLines(Path.Combine(root, "test", "KEEP.MLNet.Tests", "Docs", "GettingStartedSample.cs"))
            .SkipWhile(l => !l.Contains("sample:begin", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.Contains("sample:end", StringComparison.Ordinal))
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var doc = File.ReadAllLines(Path.Combine(root, "docs", "getting-started.md")).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        int start = doc.IndexOf(sample[0]);
        Assert.IsGreaterThanOrEqualTo(0, start, "the sample's first line is in docs/getting-started.md");
        CollectionAssert.AreEqual(sample, doc.Skip(start).Take(sample.Count).ToList(), "docs/getting-started.md shows the sample as compiled");
    }
}
