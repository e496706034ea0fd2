using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Tests.Knowledge;
using Parquet;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class UnlabelledScoringTests
{
    private static readonly string Labelled = TestWorlds.Tiny.Files[DatasetSplit.SubTest];

    /// <summary>The labelled test rows as a CSV with no Day and no label column, as production rows to be scored come.</summary>
    private static string WriteUnlabelledCsv(string folder)
    {
        string path = Path.Combine(folder, "to-score.csv");
        using var writer = new StreamWriter(path);
        writer.WriteLine("UserId,ItemId,ShopId,CategoryId,HistoryItemIds,HistoryShopIds,HistoryCategoryIds");
        foreach (var batch in ImpressionFile.Read(Labelled))
            for (int r = 0; r < batch.Count; r++)
                writer.WriteLine(string.Join(',', batch.UserId[r], batch.ItemId[r], batch.ShopId[r], batch.CategoryId[r],
                    string.Join(' ', batch.HistoryItemsOf(r).ToArray()), string.Join(' ', batch.HistoryShopsOf(r).ToArray()), string.Join(' ', batch.HistoryCategoriesOf(r).ToArray())));
        return path;
    }

    private static IReadOnlyList<string> Columns(string parquet)
    {
        using var stream = File.OpenRead(parquet);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try { return [.. reader.Schema.Fields.Select(f => f.Name)]; }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    [TestMethod]
    public void Extract_and_predict_score_rows_without_day_or_labels_as_they_score_the_labelled_rows()
    {
        string folder = TestWorlds.TempFolder("unlabelled");
        string csv = WriteUnlabelledCsv(folder);
        string labelledOut = Path.Combine(folder, "labelled.parquet"), unlabelledOut = Path.Combine(folder, "unlabelled.parquet");
        var (code, text) = CliRunner.Run("extract", "--model", TestModels.KnowledgeZip.Value, "--data", Labelled, "--out", labelledOut, "--quiet");
        Assert.AreEqual(0, code, text);
        (code, text) = CliRunner.Run("extract", "--model", TestModels.KnowledgeZip.Value, "--data", csv, "--out", unlabelledOut, "--quiet");
        Assert.AreEqual(0, code, text);
        CollectionAssert.AreEqual(FreshProcessTests.ReadFloats(labelledOut, "K_ui"), FreshProcessTests.ReadFloats(unlabelledOut, "K_ui"));
        Assert.IsFalse(Columns(unlabelledOut).Contains(ImpressionColumns.Day), "no made-up day in the output");
        Assert.IsTrue(Columns(labelledOut).Contains(ImpressionColumns.Day));

        string zip = Path.Combine(folder, "sdca.zip");
        (code, text) = CliRunner.Run("train", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--trainer", "sdca", "--out", zip, "--quiet");
        Assert.AreEqual(0, code, text);
        (code, text) = CliRunner.Run("predict", "--model", zip, "--data", Labelled, "--out", labelledOut, "--quiet");
        Assert.AreEqual(0, code, text);
        (code, text) = CliRunner.Run("predict", "--model", zip, "--data", csv, "--out", unlabelledOut, "--quiet");
        Assert.AreEqual(0, code, text);
        CollectionAssert.AreEqual(FreshProcessTests.ReadFloats(labelledOut, "Probability"), FreshProcessTests.ReadFloats(unlabelledOut, "Probability"));

        // A model that adds no knowledge columns is refused by name, not written as an empty file.
        string knowledgeOut = Path.Combine(folder, "not-knowledge.parquet");
        (code, text) = CliRunner.Run("extract", "--model", zip, "--data", csv, "--out", knowledgeOut);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "not a KEEP knowledge model");
        Assert.IsFalse(File.Exists(knowledgeOut));
    }

    [TestMethod]
    [DataRow("predict")]
    [DataRow("extract")]
    public void Writing_the_output_over_the_input_is_refused_before_any_work(string command)
    {
        string folder = TestWorlds.TempFolder("same-file");
        string data = Path.Combine(folder, "rows.parquet");
        File.Copy(Labelled, data);
        byte[] before = File.ReadAllBytes(data);
        var (code, text) = CliRunner.Run(command, "--model", TestModels.KnowledgeZip.Value, "--data", data, "--out", data);
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, "--out is the --data file");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(data), "the input is untouched");
    }

    [TestMethod]
    public void Training_still_needs_the_labels_and_names_the_missing_column()
    {
        string folder = TestWorlds.TempFolder("unlabelled-train");
        string csv = WriteUnlabelledCsv(folder);
        var e = Assert.ThrowsExactly<DataFormatException>(() => ImpressionFile.Read(csv).First());
        StringAssert.Contains(e.Message, ImpressionColumns.Day);
        Assert.AreEqual(ImpressionFile.Read(Labelled).Sum(b => b.Count), ImpressionFile.Read(csv, labelled: false).Sum(b => b.Count));
        CollectionAssert.AreEquivalent(ImpressionColumns.Unlabelled.ToArray(), ImpressionFile.MissingUnlabelledColumns(csv).ToArray());
    }
}
