using KEEP.MLNet.Data;
using KEEP.MLNet.Evaluation;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Tests.Pretraining;

[TestClass]
public sealed class PretrainingQualityTests
{
    [TestMethod]
    public void Loss_of_every_task_falls()
    {
        var curve = TestModels.TinyModel.History.Losses;
        Assert.IsGreaterThan(10, curve.Count);
        for (int t = 0; t < TestModels.Options.Tasks.Count; t++)
        {
            double early = curve.Take(3).Average(p => p.TaskLosses[t]);
            double late = curve.TakeLast(3).Average(p => p.TaskLosses[t]);
            Assert.IsLessThan(early, late, $"{TestModels.Options.Tasks[t]}: early {early:F4}, late {late:F4}");
        }
    }

    [TestMethod]
    public void Click_tower_beats_item_popularity_on_a_held_out_day()
    {
        var itemStats = new Dictionary<int, (int Shown, int Clicked)>();
        foreach (var b in TestModels.TrainingRows())
            for (int r = 0; r < b.Count; r++)
            {
                var (n, c) = itemStats.GetValueOrDefault(b.ItemId[r]);
                itemStats[b.ItemId[r]] = (n + 1, c + (b.Click[r] ? 1 : 0));
            }
        var model = new List<float>();
        var popularity = new List<float>();
        var labels = new List<bool>();
        foreach (var b in TestModels.HoldoutRows())
        {
            model.AddRange(TestModels.TinyModel.Predict(b, PretrainingTask.Click));
            for (int r = 0; r < b.Count; r++)
            {
                labels.Add(b.Click[r]);
                var (n, c) = itemStats.GetValueOrDefault(b.ItemId[r]);
                popularity.Add((c + 0.5f) / (n + 10f)); // smoothed item click rate: the popularity baseline
            }
        }
        double modelAuc = RocAuc.Compute(model.ToArray(), labels.ToArray());
        double baselineAuc = RocAuc.Compute(popularity.ToArray(), labels.ToArray());
        Assert.IsGreaterThan(baselineAuc + 0.01, modelAuc, $"model {modelAuc:F4} vs item click rate {baselineAuc:F4}");
    }

    [TestMethod]
    public void Knowledge_has_the_documented_shapes()
    {
        var model = TestModels.TinyModel;
        var batch = TestModels.HoldoutRows().First();
        var knowledge = model.Extract(batch);
        Assert.AreEqual(48, model.UserKnowledgeDim);
        Assert.AreEqual(48, model.ItemKnowledgeDim);
        Assert.AreEqual(3 * 64, model.InteractionKnowledgeDim);
        Assert.HasCount(batch.Count * 48, knowledge.User);
        Assert.HasCount(batch.Count * 48, knowledge.Item);
        Assert.HasCount(batch.Count * 192, knowledge.Interaction);
        Assert.IsTrue(knowledge.Interaction.All(float.IsFinite));
        Assert.IsTrue(knowledge.Interaction.Any(v => v > 0), "ReLU towers produce some positive knowledge");
    }

    [TestMethod]
    public void Rows_in_a_block_do_not_affect_each_other()
    {
        var model = TestModels.TinyModel;
        var batch = TestModels.HoldoutRows().First();
        var whole = model.Extract(batch);
        var part = model.Extract(batch, 7, 5);
        for (int i = 0; i < 5 * 192; i++)
            Assert.AreEqual(whole.Interaction[7 * 192 + i], part.Interaction[i], 1e-5f);
    }

    [TestMethod]
    public void Training_reports_progress_with_losses_and_speed()
    {
        var reports = new List<PretrainingProgress>();
        var options = TestModels.Options with { ProgressInterval = 2 };
        var rows = TestModels.TrainingRows().Take(2).ToList();
        using var model = new KeepPretrainer(options).Fit(() => rows, new SynchronousProgress<PretrainingProgress>(reports.Add));
        Assert.IsNotEmpty(reports);
        var last = reports[^1];
        Assert.AreEqual(rows.Sum(b => (long)b.Count), last.Rows);
        Assert.AreEqual(last.Rows, last.TotalRows);
        Assert.IsGreaterThan(0, last.RowsPerSecond);
        Assert.HasCount(3, last.TaskLosses);
    }
}
