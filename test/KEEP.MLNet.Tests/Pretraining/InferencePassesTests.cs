using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Pretraining;

/// <summary>Extraction and prediction over a block larger than one network pass give what one pass over the whole block gives.</summary>
[TestClass]
public sealed class InferencePassesTests
{
    private static ImpressionBatch Rows()
    {
        var batch = TestModels.HoldoutRows().MaxBy(b => b.Count)!;
        Assert.IsGreaterThan(2 * InferencePasses.Rows, batch.Count, "more than two passes, the last one partial");
        return batch;
    }

    [TestMethod]
    public void Knowledge_of_a_block_in_passes_is_the_knowledge_of_one_pass_over_it()
    {
        var model = TestModels.TinyModel;
        var batch = Rows();
        var passes = model.Extract(batch);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var whole = model.Network.forward(ModelInput.From(batch, 0, batch.Count, model.Vocabularies, model.Options.HistoryLength).ToTensors());
        AssertClose(whole.User.data<float>().ToArray(), passes.User);
        AssertClose(whole.Item.data<float>().ToArray(), passes.Item);
        AssertClose(whole.Interaction.contiguous().data<float>().ToArray(), passes.Interaction);
        AssertClose(whole.Logits[0].sigmoid().data<float>().ToArray(), model.Predict(batch, model.Options.Tasks[0]));
    }

    [TestMethod]
    public void A_KEEP_DNNs_scores_of_a_block_in_passes_are_those_of_one_pass_over_it()
    {
        var knowledge = new ExactKnowledge(TestModels.TinyModel);
        using var dnn = new KeepDnnTrainer(new KeepDnnOptions { Layers = [16], AttentionLayers = [8], PluginHidden = [8], BatchSize = 256 })
            .Fit(() => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]).Take(1), knowledge);
        var batch = Rows();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = ModelInput.From(batch, 0, batch.Count, dnn.Vocabularies, dnn.Options.HistoryLength);
        var whole = dnn.Network.forward((input.ToTensors(), tensor(knowledge.Compute(batch), [batch.Count, knowledge.Width])));
        AssertClose(whole.data<float>().ToArray(), dnn.Logits(batch));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        double max = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThan(1e-5, max, "largest difference");
    }
}
