using System.Text.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Tests.Pretraining;

/// <summary>
/// Model files written by the build before the training engine (commit c75e850; the program that wrote them is
/// beside them, HowTheseWereWritten.cs.txt) still load and compute what they computed then, on the rows saved
/// with them. Tolerance 1e-4 relative: the factored attention sums the same terms in another order.
/// </summary>
[TestClass]
public sealed class SavedFormatTests
{
    private static string Folder => Path.Combine(TestPaths.RepositoryRoot(), "test", "KEEP.MLNet.Tests", "TestData", "formats-c75e850");

    private sealed record Expected(int Rows, float[] KeepUser, float[] KeepItem, float[] KeepInteraction, float[] KeepClick, float[] Dnn, float[] RokInstance, float[] RokFields);

    private static readonly Lazy<Expected> Outputs = new(() => JsonSerializer.Deserialize<Expected>(File.ReadAllText(Path.Combine(Folder, "expected.json")))!);

    private static ImpressionBatch Rows() => ImpressionFile.Read(Path.Combine(Folder, "rows.parquet")).Single();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]");
    }

    [TestMethod]
    public void A_pre_trained_model_file_of_the_earlier_format_loads_and_extracts_as_before()
    {
        using var model = PretrainedModel.Load(Path.Combine(Folder, "keep-pretrained.keep"));
        var rows = Rows();
        Assert.AreEqual(Outputs.Value.Rows, rows.Count);
        var knowledge = model.Extract(rows);
        AssertClose(Outputs.Value.KeepUser, knowledge.User, "K_u");
        AssertClose(Outputs.Value.KeepItem, knowledge.Item, "K_i");
        AssertClose(Outputs.Value.KeepInteraction, knowledge.Interaction, "K_ui");
        AssertClose(Outputs.Value.KeepClick, model.Predict(rows, PretrainingTask.Click), "P(click)");
    }

    [TestMethod]
    public void A_KEEP_DNN_checkpoint_of_the_earlier_format_loads_with_its_knowledge_and_predicts_as_before()
    {
        using var stream = File.OpenRead(Path.Combine(Folder, "keep-dnn.keep"));
        using var dnn = KeepDnnCheckpoint.Load(stream, "keep-dnn.keep");
        Assert.IsNotNull(dnn.Knowledge, "the checkpoint carries its pre-trained knowledge model");
        AssertClose(Outputs.Value.Dnn, dnn.Predict(Rows()), "P(click)");
    }

    [TestMethod]
    public void A_ROK_model_of_the_earlier_format_loads_and_computes_as_before()
    {
        using var rok = RokModel.Load(Path.Combine(Folder, "rok.keep"));
        var block = rok.Compute(Rows());
        AssertClose(Outputs.Value.RokInstance, block.Instance, "ROK instance-wise");
        AssertClose(Outputs.Value.RokFields, block.Fields, "ROK feature-wise");
    }
}
