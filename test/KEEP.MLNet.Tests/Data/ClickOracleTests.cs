using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Tests.Data;

[TestClass]
public sealed class ClickOracleTests
{
    [TestMethod]
    public void The_true_click_odds_rank_the_test_day_better_than_a_trained_model()
    {
        var oracle = new ClickOracle(new World(WorldOptions.Preset("shared-click-tiny")));
        var test = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).ToList();
        var labels = test.SelectMany(b => b.Click.ToArray()).ToArray();
        var groups = test.SelectMany(b => b.UserId.ToArray()).ToArray();
        var truth = GaucEvaluator.Compute(test.SelectMany(b => oracle.Scores(b, subDomain: true)).ToArray(), labels, groups);
        var model = GaucEvaluator.Compute(test.SelectMany(b => TestModels.TinyModel.Predict(b, PretrainingTask.Click)).ToArray(), labels, groups);
        Assert.IsGreaterThan(0.75, truth.Auc, $"oracle AUC {truth.Auc:F4}");
        Assert.IsGreaterThan(model.Gauc + 0.05, truth.Gauc, $"oracle GAUC {truth.Gauc:F4}, model {model.Gauc:F4}");
    }

    [TestMethod]
    public void An_oracle_of_another_world_ranks_worse()
    {
        var test = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).ToList();
        var labels = test.SelectMany(b => b.Click.ToArray()).ToArray();
        var right = new ClickOracle(new World(WorldOptions.Preset("shared-click-tiny")));
        var wrong = new ClickOracle(new World(WorldOptions.Preset("shared-click-tiny") with { Seed = 999 }));
        double rightAuc = RocAuc.Compute(test.SelectMany(b => right.Scores(b, true)).ToArray(), labels);
        double wrongAuc = RocAuc.Compute(test.SelectMany(b => wrong.Scores(b, true)).ToArray(), labels);
        Assert.IsGreaterThan(wrongAuc + 0.1, rightAuc, $"right world {rightAuc:F4}, wrong world {wrongAuc:F4}");
    }
}
