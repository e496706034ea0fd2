using KEEP.MLNet.Training.Distributed;
using Microsoft.ML;

namespace KEEP.MLNet.Evaluation;

/// <summary>
/// <see cref="GaucMetrics"/> of rows spread over the ranks of a job (each rank scores its own shards), merged
/// exactly: every row is sent to the rank that owns its user (user id mod N), which computes the AUC of each of its
/// users over all of that user's rows; the per-user sums, the counts and the log-loss are summed over the ranks, and
/// the overall AUC is computed on rank 0 from every row's score and label (five bytes a row). The result is the one
/// <see cref="GaucEvaluator.Evaluate"/> gives on all the rows together, up to the order of floating-point sums.
/// </summary>
public static class GaucAcrossRanks
{
    /// <summary>
    /// Evaluates the rows of <paramref name="shards"/> (this rank's; none is allowed) together with every other rank's.
    /// A collective call: every rank calls it, and every rank gets the same metrics.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or a user id is not an integer.</exception>
    public static GaucMetrics Evaluate(IReadOnlyList<IDataView> shards, ICommunicator ranks, string labelColumnName = "Label", string scoreColumnName = "Score",
        string rowGroupColumnName = "UserId", string? probabilityColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(ranks);
        var users = new List<long>();
        var scores = new List<float>();
        var labels = new List<byte>();
        double logLoss = 0;
        long missing = 0;
        foreach (var shard in shards)
        {
            var rows = GaucEvaluator.Collect(shard, labelColumnName, scoreColumnName, rowGroupColumnName, probabilityColumnName);
            var ids = rows.GroupNames.Select(name => long.TryParse(name, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long id) ? id
                : throw new ArgumentException($"Column '{rowGroupColumnName}' holds '{name}': GAUC across ranks sends each row to its user's rank and needs integer user ids.")).ToArray();
            foreach (int g in rows.Groups) users.Add(ids[g]);
            scores.AddRange(rows.Scores);
            labels.AddRange(rows.Labels.Select(l => l ? (byte)1 : (byte)0));
            logLoss += GaucEvaluator.LogLossSum(rows);
            missing += rows.MissingLabels;
        }
        bool withProbability = probabilityColumnName != null;

        // Each user's rows on the rank that owns the user.
        var (owned, ownedScores, ownedLabels) = ToOwners(ranks, [.. users], [.. scores], [.. labels]);
        var mine = GaucEvaluator.Sums(AsRows(owned, ownedScores, ownedLabels));

        var totals = new[] { mine.WeightedAuc, logLoss };
        ranks.SumInPlace(totals);
        var counts = new[] { mine.Weight, mine.Groups, mine.SingleClassGroups, scores.Count, missing };
        ranks.SumInPlace(counts);
        var allScores = ranks.Gather([.. scores], root: 0);
        var allLabels = ranks.Gather([.. labels], root: 0);
        var auc = new[] { allScores == null ? 0 : RocAuc.Compute(allScores, [.. allLabels!.Select(l => l != 0)]) };
        ranks.SumInPlace(auc); // rank 0's value on every rank
        return new GaucMetrics
        {
            Gauc = counts[0] == 0 ? double.NaN : totals[0] / counts[0],
            Auc = auc[0],
            LogLoss = !withProbability || counts[3] == 0 ? double.NaN : totals[1] / counts[3],
            Groups = counts[1],
            SingleClassGroups = counts[2],
            Impressions = counts[3],
            WeightedImpressions = counts[0],
            MissingLabels = counts[4],
        };
    }

    /// <summary>Sends every row to rank (user mod N) and returns the rows this rank received.</summary>
    private static (long[] Users, float[] Scores, byte[] Labels) ToOwners(ICommunicator ranks, long[] users, float[] scores, byte[] labels)
    {
        int n = ranks.Size;
        var counts = new int[n];
        var owner = new int[users.Length];
        for (int i = 0; i < users.Length; i++) counts[owner[i] = (int)(((users[i] % n) + n) % n)]++;
        var next = new int[n];
        for (int r = 1; r < n; r++) next[r] = next[r - 1] + counts[r - 1];
        var (u, s, l) = (new long[users.Length], new float[users.Length], new byte[users.Length]);
        for (int i = 0; i < users.Length; i++)
        {
            int at = next[owner[i]]++;
            (u[at], s[at], l[at]) = (users[i], scores[i], labels[i]);
        }
        return (ranks.AllToAll(u, counts, out _), ranks.AllToAll(s, counts, out _), ranks.AllToAll(l, counts, out _));
    }

    private static GaucEvaluator.Rows AsRows(long[] users, float[] scores, byte[] labels)
    {
        var (groups, names) = GaucEvaluator.Intern<long>(users);
        return new GaucEvaluator.Rows(scores, [.. labels.Select(l => l != 0)], groups, null, names, 0);
    }
}
