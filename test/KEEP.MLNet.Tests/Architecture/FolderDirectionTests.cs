using System.Text.RegularExpressions;

namespace KEEP.MLNet.Tests.Architecture;

/// <summary>
/// The library's folders (KEEP.MLNet.Data, .Training, .Layers, …; a sub-namespace belongs to its folder) must use
/// each other in one direction: no cycle. Uses are read from the compiled assembly (signatures and method
/// bodies) and from the <c>using</c> lines of the sources, so neither a fully qualified name nor an import
/// slips through (constants are inlined by the compiler, so only their <c>using</c> line can show them).
/// </summary>
[TestClass]
public sealed partial class FolderDirectionTests
{
    private const string Root = "KEEP.MLNet";

    private static string FolderOf(string ns) => ns == "(root)" ? "Catalog" : ns.Split('.')[0];

    private static Dictionary<(string From, string To), string> FolderEdges()
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var ((from, to), example) in TypeReferences.NamespaceEdges(typeof(KEEP.MLNet.Data.ImpressionBatch).Assembly, Root))
            if (FolderOf(from) != FolderOf(to)) edges.TryAdd((FolderOf(from), FolderOf(to)), example);
        string source = Path.Combine(TestPaths.RepositoryRoot(), "src", Root);
        foreach (string file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}build{Path.DirectorySeparatorChar}")))
        {
            string text = File.ReadAllText(file);
            var ns = NamespaceLine().Match(text);
            if (!ns.Success || !ns.Groups[1].Value.StartsWith(Root + ".", StringComparison.Ordinal)) continue;
            string from = FolderOf(ns.Groups[1].Value[(Root.Length + 1)..]);
            foreach (Match use in UsingLine().Matches(text))
            {
                string to = FolderOf(use.Groups[1].Value);
                if (to != from) edges.TryAdd((from, to), $"{Path.GetRelativePath(source, file)}: using {Root}.{use.Groups[1].Value}");
            }
        }
        return edges;
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using (?:static )?KEEP\.MLNet\.([\w.]+?)(?:\.[A-Z]\w*)?;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    [TestMethod]
    public void The_scan_sees_the_known_uses()
    {
        var edges = FolderEdges();
        // Uses that exist by design: if the scan stopped seeing them it would also miss a cycle.
        foreach (var (from, to) in new[] { ("Pretraining", "Training"), ("Pretraining", "Layers"), ("Plugin", "Pretraining"), ("Serving", "Plugin"), ("Knowledge", "Pretraining"), ("Training", "Data"), ("Retrieval", "Knowledge") })
            Assert.IsTrue(edges.ContainsKey((from, to)), $"expected a use {from} → {to}; found: {string.Join(", ", edges.Keys.Select(e => $"{e.From}→{e.To}"))}");
    }

    [TestMethod]
    public void The_plug_in_stage_and_ROK_do_not_use_each_other()
    {
        // Kinds of knowledge register themselves (IArchivedKnowledge, IPluggableKnowledge): the plug-in stage
        // names no ROK type, and ROK no plug-in type.
        var edges = FolderEdges();
        foreach (var (from, to) in new[] { ("Plugin", "Retrieval"), ("Retrieval", "Plugin") })
            Assert.IsFalse(edges.TryGetValue((from, to), out var example), $"{from} uses {to}: {example}");
    }

    [TestMethod]
    public void No_cycle_between_folders()
    {
        var edges = FolderEdges();
        var next = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? cycle = null;
        void Visit(string folder)
        {
            if (cycle != null) return;
            state[folder] = 1;
            path.Add(folder);
            foreach (string to in next.GetValueOrDefault(folder, []))
            {
                if (state.GetValueOrDefault(to) == 1) { cycle = [.. path.Skip(path.IndexOf(to)), to]; return; }
                if (state.GetValueOrDefault(to) == 0) Visit(to);
                if (cycle != null) return;
            }
            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
        }
        foreach (string folder in next.Keys.Order()) if (state.GetValueOrDefault(folder) == 0) Visit(folder);
        if (cycle != null)
            Assert.Fail("Folders use each other in a cycle: " + string.Join(" → ", cycle) + "\n" +
                string.Join("\n", cycle.Zip(cycle.Skip(1)).Select(p => $"  {p.First} → {p.Second}: {edges[(p.First, p.Second)]}")));
    }
}
