using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Serving;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class PaperTables4And8Tests
{
    [TestMethod]
    public void Table_4_pre_trains_one_model_per_task_set_and_each_gives_its_tasks_knowledge()
    {
        string folder = TestWorlds.TempFolder("paper-table4");
        var results = new PaperExperiment(PaperExperimentTests.Options(folder, 4)).Run();
        var table4 = results.Where(r => r.Table == PaperExperiment.Table4).ToDictionary(r => r.Variant);
        CollectionAssert.AreEquivalent(new[] { PaperExperiment.ClickTask, PaperExperiment.ClickConversion, PaperExperiment.AllTasks }, table4.Keys.ToArray());
        Assert.IsTrue(table4.Values.All(r => r.Gauc is > 0 and < 1 && r.Groups > 0), string.Join("\n", table4.Values));
        foreach (var (file, tasks) in new[] { ("knowledge-click.keep", new[] { PretrainingTask.Click }), ("knowledge-click-conversion.keep", [PretrainingTask.Click, PretrainingTask.Conversion]) })
        {
            using var model = PretrainedModel.Load(Directory.GetFiles(folder, file, SearchOption.AllDirectories).Single());
            CollectionAssert.AreEqual(tasks, model.Options.Tasks.ToArray(), file);
            Assert.AreEqual(64 * tasks.Length, model.InteractionKnowledgeDim, $"{file}: K_ui is one 64-d tower output per task");
        }
        var keep = results.Single(r => r.Table == PaperExperiment.Table2 && r.Variant == PaperExperiment.KeepDnn);
        Assert.AreEqual(keep.Gauc, table4[PaperExperiment.AllTasks].Gauc, "the all-tasks row is the experiment's KEEP DNN");

        // Each task set is compared, paired, with the one before it: the step's Δ is the difference of the rows' GAUCs.
        Assert.IsFalse(table4[PaperExperiment.ClickTask].Details!.ContainsKey(PaperExperiment.StepDeltaKey), "the first row has no row above it");
        foreach (var (row, above) in new[] { (PaperExperiment.ClickConversion, PaperExperiment.ClickTask), (PaperExperiment.AllTasks, PaperExperiment.ClickConversion) })
        {
            var details = table4[row].Details!;
            Assert.AreEqual(table4[row].Gauc - table4[above].Gauc, details[PaperExperiment.StepDeltaKey], 1e-9, row);
            Assert.IsGreaterThan(0, details[PaperExperiment.StepStandardErrorKey], row);
            Assert.AreEqual(table4[row].Groups, details[PaperExperiment.StepGroupsKey], row);
        }
    }

    [TestMethod]
    public void Table_8_publishes_the_compressed_knowledge_and_counts_the_cached_entries()
    {
        string folder = TestWorlds.TempFolder("paper-table8");
        var options = PaperExperimentTests.Options(folder, 8) with
        {
            Compression = new KEEP.MLNet.Serving.Compression.KnowledgeCompressionOptions { TrainingRows = 5_000, Epochs = 1, Hidden = 32 },
        };
        var results = new PaperExperiment(options).Run();
        var table8 = results.Where(r => r.Table == PaperExperiment.Table8).ToDictionary(r => r.Variant);
        CollectionAssert.AreEquivalent(new[] { PaperExperiment.ExactKui, PaperExperiment.Decomposition, PaperExperiment.Degeneration, PaperExperiment.Combined }, table8.Keys.ToArray());
        Assert.IsTrue(table8.Values.All(r => r.Gauc is > 0 and < 1), string.Join("\n", table8.Values));

        // The cache holds one entry per served user, per served item and per (user, category) the users touched; count them independently.
        string dir = Path.GetDirectoryName(Directory.GetFiles(folder, "sub_test.parquet", SearchOption.AllDirectories).Single())!;
        var served = ImpressionFile.Read(Path.Combine(dir, "sub_train.parquet")).Concat(ImpressionFile.Read(Path.Combine(dir, "sub_test.parquet"))).ToList();
        var users = served.SelectMany(b => b.UserId.ToArray()).ToHashSet();
        var items = served.SelectMany(b => b.ItemId.ToArray()).ToHashSet();
        var pairs = new HashSet<(int, int)>();
        foreach (var b in served)
            for (int r = 0; r < b.Count; r++)
            {
                pairs.Add((b.UserId[r], b.CategoryId[r]));
                foreach (int c in b.HistoryCategoriesOf(r)) pairs.Add((b.UserId[r], c));
            }
        var details = table8[PaperExperiment.Combined].Details!;
        Assert.AreEqual(users.Count, details["users"]);
        Assert.AreEqual(items.Count, details["items"]);
        Assert.AreEqual(pairs.Count, details["userCategories"]);
        Assert.AreEqual(users.Count + items.Count + pairs.Count, details["entries"]);
        Assert.AreEqual((double)users.Count * items.Count, details["pairs"]);

        using var store = new FileKnowledgeStore(Path.Combine(dir, "knowledge-store"));
        CollectionAssert.Contains(store.Versions().ToList(), "seed-5", "the compressed knowledge the rows were read from is published");
    }
}
