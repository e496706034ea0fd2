using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Experiments;
using KEEP.MLNet.Experiments.Competitors;
using KEEP.MLNet.Plugin;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Experiments;

[TestClass]
public sealed class CompetitorTests
{
    private static readonly KeepDnnOptions Small = new() { Layers = [32, 16], AttentionLayers = [8], BatchSize = 256, Seed = 3 };

    private static ImpressionBatch Block(int day, int user)
    {
        var batch = new ImpressionBatch(2);
        for (int r = 0; r < 2; r++) batch.Add(day, user, 10 + r, 1, 1, [5], [1], [1], click: r == 0, cart: false, conversion: false);
        return batch;
    }

    [TestMethod]
    public void Interleaving_keeps_the_day_order_and_yields_every_block_of_both_domains_once()
    {
        ImpressionBatch[] super = [Block(0, 1), Block(0, 2), Block(1, 3), Block(2, 4)], sub = [Block(0, 5), Block(1, 6), Block(1, 7), Block(3, 8)];
        var mixed = SharedBottomModel.Interleaved(super, sub, new SeededRandom(3)).ToList();
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 1, 1, 1, 2, 3 }, mixed.Select(m => m.Batch.Day[0]).ToArray(), "days in order");
        CollectionAssert.AreEquivalent(super, mixed.Where(m => m.Domain == SharedBottomNetwork.Super).Select(m => m.Batch).ToArray());
        CollectionAssert.AreEquivalent(sub, mixed.Where(m => m.Domain == SharedBottomNetwork.Sub).Select(m => m.Batch).ToArray());
        var again = SharedBottomModel.Interleaved(super, sub, new SeededRandom(3)).ToList();
        CollectionAssert.AreEqual(mixed.Select(m => m.Batch).ToArray(), again.Select(m => m.Batch).ToArray(), "same seed, same order");
    }

    [TestMethod]
    public void Shared_bottom_trains_each_domains_tower_on_that_domains_rows_only_and_is_deterministic()
    {
        Func<IEnumerable<ImpressionBatch>> sub = () => ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTrain]);
        Func<IEnumerable<ImpressionBatch>> none = () => [];
        long subRows = sub().Sum(b => (long)b.Count);
        using var untrained = SharedBottomModel.Untrained(none, sub, Small);
        using var trained = SharedBottomModel.Fit(none, sub, Small);
        Assert.AreEqual((0L, subRows), trained.Rows);
        var before = untrained.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.clone());
        foreach (var (name, parameter) in trained.Network.named_parameters())
        {
            bool same = parameter.equal(before[name]).all().item<bool>();
            if (name.StartsWith("_towers.0.", StringComparison.Ordinal)) Assert.IsTrue(same, $"{name}: the super-domain tower saw no super-domain row");
            else if (name.StartsWith("_towers.1.", StringComparison.Ordinal) || name.StartsWith("_attention.", StringComparison.Ordinal))
                Assert.IsFalse(same, $"{name}: trained by the sub-domain's rows");
        }

        using var twice = SharedBottomModel.Fit(none, sub, Small);
        var test = ImpressionFile.Read(TestWorlds.Tiny.Files[DatasetSplit.SubTest]).First();
        CollectionAssert.AreEqual(trained.Predict(test), twice.Predict(test), "same seed, same data, same model");
    }
}

[TestClass]
public sealed class TestRowsTests
{
    [TestMethod]
    public void A_conversion_or_cart_model_is_evaluated_on_the_clicked_rows_with_that_label()
    {
        var files = TestWorlds.Tiny.Files;
        var test = TestRows.Load(files[DatasetSplit.SubTest], files[DatasetSplit.SubTrain], [5, 20]);
        var batches = ImpressionFile.Read(files[DatasetSplit.SubTest]).ToList();
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (Batch: b, Row: r))).ToList();
        var clicked = Enumerable.Range(0, rows.Count).Where(i => rows[i].Batch.Click[rows[i].Row]).ToArray();
        var cart = test.For(KEEP.MLNet.Pretraining.PretrainingTask.Cart);
        // Brute force: the clicked rows in file order, each with its cart label, user and sparsity bucket.
        CollectionAssert.AreEqual(clicked.Select(i => rows[i].Batch.Cart[rows[i].Row]).ToArray(), cart.Labels);
        CollectionAssert.AreEqual(clicked.Select(i => rows[i].Batch.UserId[rows[i].Row]).ToArray(), cart.Users);
        CollectionAssert.AreEqual(clicked.Select(i => test.Buckets[i]).ToArray(), cart.Buckets);
        // Its batches hold exactly those rows, so a model scores them as it scores them among every test row.
        Assert.AreEqual(clicked.Length, cart.Batches.Sum(b => b.Count));
        var model = TestModels.TinyModel;
        float[] all = [.. batches.SelectMany(b => model.Predict(b, KEEP.MLNet.Pretraining.PretrainingTask.Click))];
        float[] alone = [.. cart.Batches.SelectMany(b => model.Predict(b, KEEP.MLNet.Pretraining.PretrainingTask.Click))];
        Assert.AreEqual(clicked.Length, alone.Length);
        for (int k = 0; k < clicked.Length; k++) Assert.AreEqual(all[clicked[k]], alone[k], 1e-5f, $"clicked row {k}");
        Assert.AreSame(test, test.For(KEEP.MLNet.Pretraining.PretrainingTask.Click));
    }

    [TestMethod]
    public void GAUC_users_are_the_users_with_a_positive_and_a_negative_row()
    {
        var files = TestWorlds.Tiny.Files;
        var test = TestRows.Load(files[DatasetSplit.SubTest], files[DatasetSplit.SubTrain], [5, 20]);
        var cart = test.For(KEEP.MLNet.Pretraining.PretrainingTask.Cart);
        foreach (var rows in new[] { test, cart })
        {
            // Brute force: every user's set of labels.
            var labelsByUser = new Dictionary<int, HashSet<bool>>();
            for (int i = 0; i < rows.Users.Length; i++)
            {
                if (!labelsByUser.TryGetValue(rows.Users[i], out var labels)) labelsByUser[rows.Users[i]] = labels = [];
                labels.Add(rows.Labels[i]);
            }
            int expected = labelsByUser.Values.Count(labels => labels.Count == 2);
            Assert.AreEqual(expected, rows.GaucUsers);
            // The users a GAUC averages over.
            Assert.AreEqual((long)expected, KEEP.MLNet.Evaluation.GaucEvaluator.Compute(new float[rows.Labels.Length], rows.Labels, rows.Users).Groups);
        }
        Assert.IsTrue(test.GaucUsers > cart.GaucUsers, "the clicked rows' cart labels leave fewer GAUC users than the clicks");
    }
}
