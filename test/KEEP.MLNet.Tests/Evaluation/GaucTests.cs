using FsCheck;
using FsCheck.Fluent;
using KEEP.MLNet.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Tests.Evaluation;

[TestClass]
public sealed class GaucTests
{
    private sealed class Row
    {
        public int UserId { get; set; }
        public float Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel => Probability > 0.5f;
    }

    private static List<Row> RandomRows(int seed, int rows = 2_000, int users = 60, int scoreLevels = 20)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            int user = random.Next(users);
            float score = random.Next(scoreLevels) / (float)scoreLevels; // coarse: plenty of ties
            bool positive = random.NextDouble() < 0.2 + 0.5 * score * (user % 3) / 2;
            return new Row { UserId = user, Label = positive ? 1 : 0, Score = score, Probability = Math.Clamp(score, 0.01f, 0.99f) };
        }).ToList();
    }

    /// <summary>The definition, counted pair by pair: per user, P(score_pos > score_neg) + ½ P(tie), weighted by impressions.</summary>
    private static double BruteForceGauc(IEnumerable<Row> rows)
    {
        double weighted = 0, weight = 0;
        foreach (var user in rows.GroupBy(r => r.UserId))
        {
            var pos = user.Where(r => r.Label > 0).ToList();
            var neg = user.Where(r => !(r.Label > 0)).ToList();
            if (pos.Count == 0 || neg.Count == 0) continue;
            double wins = 0;
            foreach (var p in pos)
                foreach (var n in neg)
                    wins += p.Score > n.Score ? 1 : p.Score == n.Score ? 0.5 : 0;
            weighted += user.Count() * wins / (pos.Count * neg.Count);
            weight += user.Count();
        }
        return weighted / weight;
    }

    [TestMethod]
    public void Gauc_equals_a_brute_force_pairwise_count()
    {
        var ml = new MLContext(1);
        for (int seed = 0; seed < 5; seed++)
        {
            var rows = RandomRows(seed);
            var metrics = ml.BinaryClassification.EvaluateGauc(ml.Data.LoadFromEnumerable(rows));
            Assert.AreEqual(BruteForceGauc(rows), metrics.Gauc, 1e-9, $"seed {seed}");
            Assert.AreEqual(rows.Count, metrics.Impressions);
        }
    }

    [TestMethod]
    public void Single_group_auc_and_log_loss_match_MLNet()
    {
        var ml = new MLContext(1);
        var rows = RandomRows(7).Select(r => new Row { UserId = 1, Label = r.Label, Score = r.Score, Probability = r.Probability }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var ours = ml.BinaryClassification.EvaluateGauc(data, probabilityColumnName: "Probability");
        var converted = ml.Transforms.Conversion.ConvertType("Label", "Label", DataKind.Boolean).Fit(data).Transform(data);
        var theirs = ml.BinaryClassification.Evaluate(converted);
        Assert.AreEqual(theirs.AreaUnderRocCurve, ours.Gauc, 1e-9);
        Assert.AreEqual(theirs.AreaUnderRocCurve, ours.Auc, 1e-9);
        Assert.AreEqual(theirs.LogLoss, ours.LogLoss, 1e-6);
        Assert.AreEqual(1, ours.Groups);
    }

    [TestMethod]
    public void Single_class_groups_and_nan_labels_are_skipped_and_counted()
    {
        var ml = new MLContext(1);
        var rows = new List<Row>
        {
            new() { UserId = 1, Label = 1, Score = 0.9f }, new() { UserId = 1, Label = 0, Score = 0.1f },
            new() { UserId = 2, Label = 0, Score = 0.5f }, new() { UserId = 2, Label = 0, Score = 0.4f },
            new() { UserId = 3, Label = float.NaN, Score = 0.4f },
        };
        var metrics = ml.BinaryClassification.EvaluateGauc(ml.Data.LoadFromEnumerable(rows));
        Assert.AreEqual(1.0, metrics.Gauc);
        Assert.AreEqual(1, metrics.Groups);
        Assert.AreEqual(1, metrics.SingleClassGroups);
        Assert.AreEqual(1, metrics.MissingLabels);
        Assert.AreEqual(4, metrics.Impressions);
        Assert.AreEqual(2, metrics.WeightedImpressions);
    }

    [TestMethod]
    public void Missing_columns_are_named()
    {
        var ml = new MLContext(1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.EvaluateGauc(ml.Data.LoadFromEnumerable(RandomRows(1)), rowGroupColumnName: "User"));
        StringAssert.Contains(e.Message, "'User'");
    }

    [TestMethod]
    public void Data_without_rows_is_refused_in_words()
    {
        var ml = new MLContext(1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.BinaryClassification.EvaluateGauc(ml.Data.LoadFromEnumerable(RandomRows(1, rows: 0)), rowGroupColumnName: "UserId"));
        StringAssert.Contains(e.Message, "no rows to evaluate");
    }

    [TestMethod]
    public void Per_bucket_gauc_splits_the_groups()
    {
        var ml = new MLContext(1);
        var rows = RandomRows(3);
        var buckets = GaucEvaluator.EvaluateByBucket(ml.Data.LoadFromEnumerable(rows), user => int.Parse(user, System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "even" : "odd");
        Assert.AreEqual(BruteForceGauc(rows.Where(r => r.UserId % 2 == 0)), buckets["even"].Gauc, 1e-9);
        Assert.AreEqual(BruteForceGauc(rows.Where(r => r.UserId % 2 == 1)), buckets["odd"].Gauc, 1e-9);
    }

    [TestMethod]
    public void Array_overload_takes_raw_user_ids_of_any_size()
    {
        var rows = RandomRows(9);
        var scores = rows.Select(r => r.Score).ToArray();
        var labels = rows.Select(r => r.Label > 0).ToArray();
        var dense = GaucEvaluator.Compute(scores, labels, rows.Select(r => r.UserId).ToArray());
        var huge = GaucEvaluator.Compute(scores, labels, rows.Select(r => 2_000_000_000 - 7 * r.UserId).ToArray());
        var negative = GaucEvaluator.Compute(scores, labels, rows.Select(r => -1 - r.UserId).ToArray());
        Assert.AreEqual(BruteForceGauc(rows), dense.Gauc, 1e-9);
        Assert.AreEqual(dense, huge);
        Assert.AreEqual(dense, negative);
    }

    [TestMethod]
    public void Gauc_is_invariant_to_monotone_transforms_and_flips_under_negation()
    {
        Prop.ForAll(Arb.From(Gen.Choose(0, 1_000_000)), Arb.From(Gen.Choose(1, 50)), (seed, users) =>
        {
            var random = new Random(seed);
            int n = 300;
            var scores = Enumerable.Range(0, n).Select(_ => (float)random.Next(30)).ToArray();
            var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3).ToArray();
            var groups = Enumerable.Range(0, n).Select(_ => random.Next(users)).ToArray();
            var baseline = GaucEvaluator.Compute(scores, labels, groups);
            if (double.IsNaN(baseline.Gauc)) return true;
            var monotone = GaucEvaluator.Compute(scores.Select(s => MathF.Exp(s / 10) * 3 + 1).ToArray(), labels, groups);
            var negated = GaucEvaluator.Compute(scores.Select(s => -s).ToArray(), labels, groups);
            return Math.Abs(baseline.Gauc - monotone.Gauc) < 1e-9 && Math.Abs(1 - baseline.Gauc - negated.Gauc) < 1e-9;
        }).QuickCheckThrowOnFailure();
    }

    [TestMethod]
    public void Parameters_follow_MLNets_ranking_evaluator_so_positional_calls_mean_the_same()
    {
        string[] Names(System.Reflection.MethodInfo m) => [.. m.GetParameters().Where(p => p.ParameterType == typeof(string)).Select(p => p.Name!)];
        var ranking = typeof(RankingCatalog).GetMethod(nameof(RankingCatalog.Evaluate), [typeof(IDataView), typeof(string), typeof(string), typeof(string)])!;
        var gauc = typeof(KeepCatalog).GetMethod(nameof(KeepCatalog.EvaluateGauc))!;
        CollectionAssert.AreEqual(Names(ranking), Names(gauc)[..3]);

        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(RandomRows(3));
        var positional = ml.BinaryClassification.EvaluateGauc(data, "Label", "UserId", "Score");
        var named = ml.BinaryClassification.EvaluateGauc(data, scoreColumnName: "Score", rowGroupColumnName: "UserId", labelColumnName: "Label");
        Assert.AreEqual(named.Gauc, positional.Gauc);
        Assert.AreEqual(named.Groups, positional.Groups);
    }
}

[TestClass]
public sealed class GaucComparisonTests
{
    [TestMethod]
    public void Difference_matches_the_two_gaucs_and_the_spread_reflects_the_signal()
    {
        var random = new Random(4);
        int n = 3_000;
        var groups = Enumerable.Range(0, n).Select(_ => random.Next(200)).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3).ToArray();
        var noise = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var informed = noise.Select((v, i) => v + (labels[i] ? 0.5f : 0f)).ToArray();

        var comparison = GaucComparison.Of(noise, informed, labels, groups);
        double expected = GaucEvaluator.Compute(informed, labels, groups).Gauc - GaucEvaluator.Compute(noise, labels, groups).Gauc;
        Assert.AreEqual(expected, comparison.Difference, 1e-12);
        Assert.IsGreaterThan(5 * comparison.StandardError, comparison.Difference, "a real gain stands far outside its spread");

        var same = GaucComparison.Of(noise, noise, labels, groups);
        Assert.AreEqual(0, same.Difference);
        Assert.AreEqual(0, same.StandardError);
        Assert.AreEqual(GaucEvaluator.Compute(noise, labels, groups).Groups, same.Groups);
    }
}
