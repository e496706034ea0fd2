using KEEP.MLNet.Data;
using KEEP.MLNet.Evaluation;

namespace KEEP.MLNet.Experiments;

/// <summary>
/// The sub-domain test rows held in memory (they are small: one or two days of a sparse domain) with each
/// row's label, user and user-sparsity bucket (the user's sub-domain training rows), for scoring many models
/// against the same rows.
/// </summary>
internal sealed class TestRows
{
    private TestRows(List<ImpressionBatch> batches, bool[] labels, int[] users, string[] buckets, IReadOnlyList<string> bucketNames)
    {
        Batches = batches;
        Labels = labels;
        Users = users;
        Buckets = buckets;
        BucketNames = bucketNames;
    }

    public List<ImpressionBatch> Batches { get; }
    public bool[] Labels { get; }
    public int[] Users { get; }
    public string[] Buckets { get; }
    public IReadOnlyList<string> BucketNames { get; }

    /// <summary>Users with both a positive and a negative row: the users a GAUC of these rows averages over.</summary>
    public int GaucUsers => Users.Zip(Labels).GroupBy(row => row.First).Count(user => user.Any(row => row.Second) && user.Any(row => !row.Second));

    /// <summary>Reads the test file and counts each user's rows in the training file.</summary>
    public static TestRows Load(string testPath, string trainPath, IReadOnlyList<int> bounds)
        => Of(ImpressionFile.Read(testPath), ImpressionFile.Read(trainPath), bounds);

    /// <summary>The test rows <paramref name="test"/>, bucketed by each user's rows in <paramref name="train"/>.</summary>
    public static TestRows Of(IEnumerable<ImpressionBatch> test, IEnumerable<ImpressionBatch> train, IReadOnlyList<int> bounds)
    {
        var activity = UserActivityBuckets.FromRows(train, bounds);
        var batches = test.ToList();
        var labels = batches.SelectMany(b => b.Click.ToArray()).ToArray();
        var users = batches.SelectMany(b => b.UserId.ToArray()).ToArray();
        return new TestRows(batches, labels, users, [.. users.Select(activity.Of)], activity.Names);
    }

    /// <summary>
    /// The rows a model of <paramref name="task"/> is evaluated on, with that task's label: every row for click, the
    /// clicked rows for conversion and add-to-cart (as the paper's and <see cref="Pretraining.TaskTargets"/>' CVR and cart
    /// models are trained). Their <see cref="Batches"/> hold only those rows, in file order, so a model scores no more
    /// rows than it is evaluated on (the clicked rows are a few percent of a test day).
    /// </summary>
    public TestRows For(Pretraining.PretrainingTask task)
    {
        if (task == Pretraining.PretrainingTask.Click) return this;
        var clicked = new ImpressionBatch(Math.Max(1, Labels.Count(x => x)));
        var labels = new List<bool>();
        var buckets = new List<string>();
        int at = 0;
        foreach (var batch in Batches)
            for (int r = 0; r < batch.Count; r++, at++)
                if (batch.Click[r])
                {
                    clicked.AddRow(batch, r);
                    labels.Add(task == Pretraining.PretrainingTask.Conversion ? batch.Conversion[r] : batch.Cart[r]);
                    buckets.Add(Buckets[at]);
                }
        return new TestRows([clicked], [.. labels], clicked.UserId.ToArray(), [.. buckets], BucketNames);
    }

    /// <summary>GAUC and AUC of <paramref name="scores"/> (one per row, in file order), overall and per bucket.</summary>
    public (GaucMetrics Overall, Dictionary<string, double> Buckets) Evaluate(float[] scores)
    {
        if (scores.Length != Labels.Length) throw new ArgumentException($"{scores.Length} scores for {Labels.Length} test rows.", nameof(scores));
        var overall = GaucEvaluator.Compute(scores, Labels, Users);
        var byBucket = new Dictionary<string, double>();
        foreach (string bucket in BucketNames)
        {
            var rows = Enumerable.Range(0, scores.Length).Where(i => Buckets[i] == bucket).ToArray();
            byBucket[bucket] = GaucEvaluator.Compute([.. rows.Select(i => scores[i])], [.. rows.Select(i => Labels[i])], [.. rows.Select(i => Users[i])]).Gauc;
        }
        return (overall, byBucket);
    }

    /// <summary>
    /// GAUC of <paramref name="scores"/> and, unless null, its paired comparison with <paramref name="reference"/> on the same
    /// rows (user bootstrap, 500 resamples), with the "vs …" text progress lines print.
    /// </summary>
    public (GaucMetrics Metrics, GaucComparison? Paired, string Text) Scored(float[] scores, float[]? reference, int seed, string referenceName)
    {
        var metrics = GaucEvaluator.Compute(scores, Labels, Users);
        var paired = reference == null ? null : GaucComparison.Of(reference, scores, Labels, Users, resamples: 500, seed: seed);
        string text = $"GAUC {metrics.Gauc:F4}{(paired == null ? "" : $", vs {referenceName} {DeltaText.Of(paired.Difference)} (paired SE {paired.StandardError:0.0000})")}";
        return (metrics, paired, text);
    }
}
