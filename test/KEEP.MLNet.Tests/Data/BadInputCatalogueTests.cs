using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Tests.Cli;
using KEEP.MLNet.Knowledge;

namespace KEEP.MLNet.Tests.Data;

/// <summary>The rest of issue 9's bad-input catalogue, through the library and the CLI.</summary>
[TestClass]
public sealed class BadInputCatalogueTests
{
    /// <summary>The tiny world's sub-domain training rows with every label set to negative.</summary>
    private static string AllNegative()
    {
        string path = Path.Combine(TestWorlds.TempFolder("all-negative"), "sub_train.parquet");
        ImpressionFile.Write(path, ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).Select(b =>
        {
            var negative = new ImpressionBatch(b.Count);
            for (int r = 0; r < b.Count; r++)
                negative.Add(b.Day[r], b.UserId[r], b.ItemId[r], b.ShopId[r], b.CategoryId[r], b.HistoryItemsOf(r), b.HistoryShopsOf(r), b.HistoryCategoriesOf(r), false, false, false);
            return negative;
        }));
        return path;
    }

    [TestMethod]
    public void All_negative_labels_are_refused_by_pretraining_and_downstream_training()
    {
        string data = AllNegative();
        var e = Assert.ThrowsExactly<ArgumentException>(() => new KeepPretrainer(TestModels.Options).Fit(() => ImpressionFile.Read(data)));
        StringAssert.Contains(e.Message, "no positive Click label");
        e = Assert.ThrowsExactly<ArgumentException>(() => new KeepDnnTrainer(new KeepDnnOptions { Label = PretrainingTask.Conversion }).Fit(() => ImpressionFile.Read(data), (IKnowledgeSource?)null));
        StringAssert.Contains(e.Message, "no positive Conversion label");

        string output = Path.Combine(Path.GetDirectoryName(data)!, "model.zip");
        var (code, text) = CliRunner.Run("train", "--data", data, "--out", output);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "no positive Click label");
        Assert.IsFalse(File.Exists(output), "no model file is written");
        Assert.IsEmpty(Directory.GetFiles(Path.GetDirectoryName(data)!, "*.tmp"));
    }

    [TestMethod]
    public void NaN_scores_are_named_by_the_GAUC_evaluator()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => GaucEvaluator.Compute([0.1f, float.NaN, 0.3f], [true, false, false], [1, 1, 2]));
        StringAssert.Contains(e.Message, "Score 1 is NaN");
        var ml = new Microsoft.ML.MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new Scored { UserId = 1, Label = true, Score = 1 }, new Scored { UserId = 1, Label = false, Score = float.NaN } });
        e = Assert.ThrowsExactly<ArgumentException>(() => GaucEvaluator.Evaluate(view));
        StringAssert.Contains(e.Message, "'Score' is NaN at row 1");
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void Non_finite_knowledge_is_refused_before_it_reaches_a_store(float value)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new KEEP.MLNet.Serving.KnowledgeTable(KEEP.MLNet.Serving.KnowledgeTableKind.Item, 2, [10, 20], [0.5f, 1f, 2f, value]));
        StringAssert.Contains(e.Message, "Item table: id 20 has");
        StringAssert.Contains(e.Message, "at component 1");
    }

    [TestMethod]
    public void An_output_path_that_cannot_be_written_exits_with_1_naming_it()
    {
        string folder = TestWorlds.TempFolder("unwritable");
        string blocker = Path.Combine(folder, "a-file");
        File.WriteAllText(blocker, "not a folder");
        string output = Path.Combine(blocker, "knowledge.zip"); // a path under a file: not writable by anyone, root included
        var (code, text) = CliRunner.Run("pretrain", "--data", TestWorlds.Tiny.Files[DatasetSplit.Super], "--out", output, "--batch-size", "2000", "--quiet");
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "--out: cannot write to");
        StringAssert.Contains(text, blocker);
        Assert.HasCount(1, Directory.GetFiles(folder), "nothing but the blocking file is left");
    }

    private sealed class Scored
    {
        public int UserId { get; set; }
        public bool Label { get; set; }
        public float Score { get; set; }
    }
}
