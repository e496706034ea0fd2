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
    public void Api_guide_sample_runs()
    {
        var (knowledge, auc) = ApiGuideSample.Run(TestWorlds.TempFolder("api-guide"));
        Assert.HasCount(new KEEP.MLNet.Retrieval.RokOptions().RepresentationDim, knowledge);
        Assert.IsGreaterThan(0.5, auc);
    }

    [TestMethod]
    public void The_readme_names_every_command_of_the_command_line()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot(), "README.md"));
        var root = KEEP.MLNet.Cli.KeepCli.Build(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings()));
        var names = root.Subcommands.SelectMany(c => c.Subcommands.Select(s => s.Name).Prepend(c.Name)).ToList();
        Assert.IsGreaterThan(10, names.Count);
        foreach (string name in names) StringAssert.Contains(readme, $"`{name}`", $"README.md does not name the command '{name}'");
    }

    [TestMethod]
    [DataRow("GettingStartedSample.cs", "", "getting-started.md")]
    [DataRow("ApiGuideSample.cs", "rok:", "api.md")]
    [DataRow("ApiGuideSample.cs", "plugin:", "api.md")]
    public void Docs_show_the_compiled_samples_verbatim(string sampleFile, string marker, string docFile)
    {
        string root = TestPaths.RepositoryRoot();
        var sample = File.ReadAllLines(Path.Combine(root, "test", "KEEP.MLNet.Tests", "Docs", sampleFile))
            .SkipWhile(l => !l.Contains($"sample:{marker}begin", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.Contains($"sample:{marker}end", StringComparison.Ordinal))
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.IsNotEmpty(sample, $"{sampleFile} has a sample:{marker}begin … end block");
        var doc = File.ReadAllLines(Path.Combine(root, "docs", docFile)).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        int start = doc.IndexOf(sample[0]);
        Assert.IsGreaterThanOrEqualTo(0, start, $"the sample's first line is in docs/{docFile}");
        CollectionAssert.AreEqual(sample, doc.Skip(start).Take(sample.Count).ToList(), $"docs/{docFile} shows {sampleFile} as compiled");
    }
}
