using KEEP.MLNet.Data;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;
using KEEP.MLNet.Tests.Retrieval;

namespace KEEP.MLNet.Tests.Pretraining;

[TestClass]
public sealed class CheckpointTests
{
    [TestMethod]
    public void Saved_and_loaded_checkpoint_extracts_identical_knowledge()
    {
        string path = Path.Combine(TestWorlds.TempFolder("ckpt"), "knowledge.keep");
        TestModels.TinyModel.Save(path);
        using var loaded = PretrainedModel.Load(path);
        var batch = TestModels.HoldoutRows().First();
        var before = TestModels.TinyModel.Extract(batch);
        var after = loaded.Extract(batch);
        CollectionAssert.AreEqual(before.User, after.User);
        CollectionAssert.AreEqual(before.Item, after.Item);
        CollectionAssert.AreEqual(before.Interaction, after.Interaction);
        Assert.AreEqual(TestModels.TinyModel.History.Rows, loaded.History.Rows);
        CollectionAssert.AreEqual(TestModels.TinyModel.Options.Tasks.ToArray(), loaded.Options.Tasks.ToArray());
    }

    [TestMethod]
    public void Training_continues_from_a_checkpoint_on_new_days()
    {
        string path = Path.Combine(TestWorlds.TempFolder("ckpt-inc"), "knowledge.keep");
        TestModels.TinyModel.Save(path);
        using var model = PretrainedModel.Load(path);
        var before = model.History;
        var newDay = TestModels.HoldoutRows().ToList();
        var batch = newDay[0];
        var knowledgeBefore = model.Extract(batch).Interaction;
        var updated = KeepPretrainer.Continue(model, newDay);
        Assert.AreEqual(before.Rows + newDay.Sum(b => b.Count), updated.History.Rows);
        Assert.AreEqual(TestModels.HoldoutDay, updated.History.LastDay);
        Assert.IsGreaterThan(before.Steps, updated.History.Steps);
        CollectionAssert.AreNotEqual(knowledgeBefore, updated.Extract(batch).Interaction, "the weights moved");
    }

    [TestMethod]
    public void Same_seed_same_data_gives_the_same_model()
    {
        var rows = TestModels.TrainingRows().Take(2).ToList();
        using var a = new KeepPretrainer(TestModels.Options).Fit(() => rows);
        using var b = new KeepPretrainer(TestModels.Options).Fit(() => rows);
        CollectionAssert.AreEqual(a.Extract(rows[0]).Interaction, b.Extract(rows[0]).Interaction);
    }

    [TestMethod]
    public void The_untrained_control_is_the_seeded_start_of_training()
    {
        var rows = TestModels.TrainingRows().Take(2).ToList();
        using var a = new KeepPretrainer(TestModels.Options).Untrained(() => rows);
        using var b = new KeepPretrainer(TestModels.Options).Untrained(() => rows);
        using var trained = new KeepPretrainer(TestModels.Options).Fit(() => rows);
        Assert.AreEqual(0, a.History.Steps);
        CollectionAssert.AreEqual(trained.Vocabularies.Items.Ids.ToList(), a.Vocabularies.Items.Ids.ToList(), "the vocabularies training uses");
        CollectionAssert.AreEqual(a.Extract(rows[0]).Interaction, b.Extract(rows[0]).Interaction, "seeded");
        CollectionAssert.AreNotEqual(a.Extract(rows[0]).Interaction, trained.Extract(rows[0]).Interaction, "training moves the weights");
    }

    [TestMethod]
    public void Corrupt_or_foreign_files_are_rejected_with_the_path()
    {
        string folder = TestWorlds.TempFolder("ckpt-bad");
        string garbage = Path.Combine(folder, "garbage.keep");
        File.WriteAllBytes(garbage, [1, 2, 3, 4]);
        var e = Assert.ThrowsExactly<DataFormatException>(() => PretrainedModel.Load(garbage));
        StringAssert.Contains(e.Message, garbage);

        string empty = Path.Combine(folder, "empty.keep");
        using (var zip = System.IO.Compression.ZipFile.Open(empty, System.IO.Compression.ZipArchiveMode.Create)) zip.CreateEntry("other.txt");
        e = Assert.ThrowsExactly<DataFormatException>(() => PretrainedModel.Load(empty));
        StringAssert.Contains(e.Message, "model.json");

        Assert.ThrowsExactly<FileNotFoundException>(() => PretrainedModel.Load(Path.Combine(folder, "missing.keep")));
    }

    [TestMethod]
    public void A_model_file_of_another_kind_is_named_for_what_it_is()
    {
        string folder = TestWorlds.TempFolder("ckpt-kind");
        string knowledge = Path.Combine(folder, "knowledge.keep"), rok = Path.Combine(folder, "rok.keep");
        TestModels.TinyModel.Save(knowledge);
        RokTests.Trained.Value.Model.Save(rok);

        var e = Assert.ThrowsExactly<DataFormatException>(() => RokModel.Load(knowledge));
        StringAssert.Contains(e.Message, knowledge);
        StringAssert.Contains(e.Message, "a KEEP knowledge checkpoint (from 'keep pretrain')");
        e = Assert.ThrowsExactly<DataFormatException>(() => KnowledgeModelFile.LoadCheckpoint(rok));
        StringAssert.Contains(e.Message, "a ROK knowledge base (from 'keep rok'");
        e = Assert.ThrowsExactly<DataFormatException>(() => KeepDnnModelFile.LoadCheckpoint(TestModels.KnowledgeZip.Value));
        StringAssert.Contains(e.Message, "a KEEP knowledge model (from 'keep pretrain')");
    }
}
