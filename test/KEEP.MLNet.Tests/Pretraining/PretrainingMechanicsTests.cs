using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Training;
using KEEP.MLNet.Pretraining;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Pretraining;

[TestClass]
public sealed class PretrainingMechanicsTests
{
    private static ImpressionBatch RandomBatch(int rows, int users, int seed)
    {
        var random = new Random(seed);
        var batch = new ImpressionBatch(rows);
        for (int r = 0; r < rows; r++)
        {
            bool click = random.NextDouble() < 0.3;
            int n = random.Next(0, 8);
            var items = Enumerable.Range(0, n).Select(_ => 1 + random.Next(50)).ToArray();
            batch.Add(0, 1 + random.Next(users), 1 + random.Next(50), 1 + random.Next(5), 1 + random.Next(4), items, items.Select(i => 1 + i % 5).ToArray(), items.Select(i => 1 + i % 4).ToArray(),
                click, click && random.NextDouble() < 0.4, click && random.NextDouble() < 0.3);
        }
        return batch;
    }

    [TestMethod]
    public void Pairwise_loss_matches_a_brute_force_count()
    {
        var batch = RandomBatch(300, 12, 1);
        var random = new Random(2);
        var logits = Enumerable.Range(0, batch.Count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        foreach (var task in Enum.GetValues<PretrainingTask>())
        {
            var targets = TaskTargets.For(task, batch, 0, batch.Count);
            double sum = 0;
            long pairs = 0;
            for (int i = 0; i < batch.Count; i++)
                for (int j = 0; j < batch.Count; j++)
                {
                    if (batch.UserId[i] != batch.UserId[j]) continue;
                    if (task != PretrainingTask.Click && (!batch.Click[i] || !batch.Click[j])) continue;
                    bool yi = Label(task, batch, i), yj = Label(task, batch, j);
                    if (!(yi && !yj)) continue;
                    sum += -Math.Log(1 / (1 + Math.Exp(-(logits[i] - logits[j]))));
                    pairs++;
                }
            Assert.AreEqual(pairs, targets.Better.Length, task.ToString());
            Assert.IsGreaterThan(0, pairs, task.ToString());
            using var scope = NewDisposeScope();
            double ours = KeepLoss.Pairwise(tensor(logits), targets.Better, targets.Worse).item<float>();
            Assert.AreEqual(sum / pairs, ours, 1e-5, task.ToString());
        }
    }

    private static bool Label(PretrainingTask task, ImpressionBatch b, int r) => task switch
    {
        PretrainingTask.Click => b.Click[r],
        PretrainingTask.Conversion => b.Conversion[r],
        _ => b.Cart[r],
    };

    [TestMethod]
    public void Conversion_and_cart_are_supervised_on_clicked_rows_only()
    {
        var batch = RandomBatch(400, 30, 3);
        var click = TaskTargets.For(PretrainingTask.Click, batch, 0, batch.Count);
        var conversion = TaskTargets.For(PretrainingTask.Conversion, batch, 0, batch.Count);
        Assert.HasCount(batch.Count, click.Rows);
        CollectionAssert.AreEqual(Enumerable.Range(0, batch.Count).Where(r => batch.Click[r]).ToArray(), conversion.Rows);
        CollectionAssert.AreEqual(conversion.Rows.Select(r => batch.Conversion[r] ? 1f : 0f).ToArray(), conversion.Labels);
    }

    [TestMethod]
    public void Targets_without_pairs_keep_rows_and_labels()
    {
        var batch = RandomBatch(300, 12, 6);
        var full = TaskTargets.For(PretrainingTask.Click, batch, 0, batch.Count);
        var bare = TaskTargets.For(PretrainingTask.Click, batch, 0, batch.Count, withPairs: false);
        Assert.IsNotEmpty(full.Better);
        Assert.IsEmpty(bare.Better);
        Assert.IsEmpty(bare.Worse);
        CollectionAssert.AreEqual(full.Rows, bare.Rows);
        CollectionAssert.AreEqual(full.Labels, bare.Labels);
    }

    [TestMethod]
    public void Task_loss_is_bce_plus_alpha_times_pairwise()
    {
        var batch = RandomBatch(200, 10, 4);
        var targets = TaskTargets.For(PretrainingTask.Click, batch, 0, batch.Count);
        var random = new Random(5);
        var logits = Enumerable.Range(0, batch.Count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        double bce = Enumerable.Range(0, batch.Count).Average(r =>
        {
            double p = 1 / (1 + Math.Exp(-logits[r]));
            return batch.Click[r] ? -Math.Log(p) : -Math.Log(1 - p);
        });
        using var scope = NewDisposeScope();
        var (total, pointwise, pairwise) = KeepLoss.Task(tensor(logits), targets, 0.25);
        Assert.AreEqual(bce, pointwise!.item<float>(), 1e-5);
        Assert.AreEqual(bce + 0.25 * pairwise!.item<float>(), total.item<float>(), 1e-5);
    }

    [TestMethod]
    public void Padding_changes_nothing()
    {
        var model = TestModels.TinyModel;
        var batch = TestModels.HoldoutRows().First();
        var shortRows = Enumerable.Range(0, batch.Count).Where(r => batch.HistoryItemsOf(r).Length <= 10).Take(20).ToArray();
        Assert.IsNotEmpty(shortRows);
        var sub = new ImpressionBatch();
        foreach (int r in shortRows) sub.AddRow(batch, r);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wide = model.Network.forward(ModelInput.From(sub, 0, sub.Count, model.Vocabularies, 50).ToTensors());
        var narrow = model.Network.forward(ModelInput.From(sub, 0, sub.Count, model.Vocabularies, 10).ToTensors());
        Assert.IsTrue(wide.Interaction.allclose(narrow.Interaction, rtol: 0, atol: 1e-5));
        Assert.IsTrue(wide.Logits[0].allclose(narrow.Logits[0], rtol: 0, atol: 1e-5));
    }

    [TestMethod]
    public void Long_histories_keep_the_most_recent_behaviours_and_count_the_rest()
    {
        var vocabularies = new FeatureVocabularies(new IdVocabulary([1]), new IdVocabulary([10, 11, 12, 13]), new IdVocabulary([1]), new IdVocabulary([1]));
        var batch = new ImpressionBatch();
        batch.Add(0, 1, 10, 1, 1, [10, 11, 12, 13], [1, 1, 1, 1], [1, 1, 1, 1], false, false, false);
        batch.Add(0, 1, 10, 1, 1, [13], [1], [1], false, false, false);
        var input = ModelInput.From(batch, 0, 2, vocabularies, 3);
        CollectionAssert.AreEqual(new long[] { 3, 4, 5, 0, 0, 5 }, input.HistoryItem, "rows 11,12,13 right-aligned; then padding and 13");
        Assert.AreEqual(1, input.TruncatedBehaviours);
    }

    [TestMethod]
    public void Unknown_ids_use_the_out_of_vocabulary_row()
    {
        var model = TestModels.TinyModel;
        var a = new ImpressionBatch();
        a.Add(0, 999_999, 888_888, 777_777, 666_666, [555_555], [444_444], [333_333], false, false, false);
        var b = new ImpressionBatch();
        b.Add(0, 999_998, 888_887, 777_776, 666_665, [555_554], [444_443], [333_332], false, false, false);
        Assert.AreEqual(IdVocabulary.OutOfVocabulary, model.Vocabularies.Users[999_999]);
        Assert.AreEqual(IdVocabulary.OutOfVocabulary, model.Vocabularies.Items[-5]);
        CollectionAssert.AreEqual(model.Extract(a).Interaction, model.Extract(b).Interaction);
    }

    [TestMethod]
    public void Rows_out_of_day_order_are_rejected()
    {
        var batch = new ImpressionBatch();
        batch.Add(2, 1, 1, 1, 1, [], [], [], true, false, false);
        batch.Add(1, 1, 1, 1, 1, [], [], [], false, false, false);
        var e = Assert.ThrowsExactly<DataFormatException>(() => new KeepPretrainer(TestModels.Options).Fit(() => [batch]));
        StringAssert.Contains(e.Message, "day 1 comes after day 2");
        Assert.AreEqual(2, e.Line);
    }

    [TestMethod]
    public void Empty_data_is_rejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new KeepPretrainer().Fit(() => []));
        StringAssert.Contains(e.Message, "no rows");
    }

    [TestMethod]
    public void Day_shuffle_keeps_every_row_and_the_day_order()
    {
        var rows = TestModels.TrainingRows().ToList();
        var shuffled = DayShuffler.Batches(rows, 300, new SeededRandom(1)).ToList();
        Assert.AreEqual(rows.Sum(b => b.Count), shuffled.Sum(b => b.Count));
        var days = shuffled.SelectMany(b => b.Day.ToArray()).ToArray();
        CollectionAssert.AreEqual(days.Order().ToArray(), days);
        var firstDayOriginal = rows.SelectMany(b => Enumerable.Range(0, b.Count).Where(r => b.Day[r] == 0).Select(r => b.UserId[r])).ToArray();
        var firstDayShuffled = shuffled.SelectMany(b => Enumerable.Range(0, b.Count).Where(r => b.Day[r] == 0).Select(r => b.UserId[r])).ToArray();
        CollectionAssert.AreEquivalent(firstDayOriginal, firstDayShuffled);
        CollectionAssert.AreNotEqual(firstDayOriginal, firstDayShuffled);
    }

    [TestMethod]
    public void Day_shuffle_order_is_the_seeded_permutation_of_each_day_in_arrival_order()
    {
        // Independent reference: number each day's rows in arrival order, permute the numbers with the same
        // seeded shuffle, cut into blocks. The shuffler must yield exactly those rows, in that order.
        var rows = TestModels.TrainingRows().ToList();
        var random = new SeededRandom(3);
        var expected = new List<(int Day, int User, int Item, int Behaviours)>();
        foreach (var day in rows.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b, r))).GroupBy(p => p.b.Day[p.r]))
        {
            var arrival = day.ToList();
            var order = Enumerable.Range(0, arrival.Count).ToArray();
            random.Shuffle(order.AsSpan());
            expected.AddRange(order.Select(i => (arrival[i].b.Day[arrival[i].r], arrival[i].b.UserId[arrival[i].r], arrival[i].b.ItemId[arrival[i].r], arrival[i].b.HistoryItemsOf(arrival[i].r).Length)));
        }
        var batches = DayShuffler.Batches(rows, 700, new SeededRandom(3)).ToList();
        var actual = batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b.Day[r], b.UserId[r], b.ItemId[r], b.HistoryItemsOf(r).Length))).ToList();
        CollectionAssert.AreEqual(expected, actual);
        Assert.IsTrue(batches.All(b => b.Count <= 700));
    }
}
