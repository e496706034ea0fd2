using System.Globalization;
using KEEP.MLNet.Data;

namespace KEEP.MLNet.Evaluation;

/// <summary>
/// Users bucketed by how many training rows they have (paper Table 7: gains by user sparsity). Bounds are
/// inclusive upper limits: [5, 20] gives "0–5", "6–20" and "&gt;20".
/// </summary>
public sealed class UserActivityBuckets
{
    private readonly Dictionary<int, int> _rows;
    private readonly IReadOnlyList<int> _bounds;

    private UserActivityBuckets(Dictionary<int, int> rows, IReadOnlyList<int> bounds)
    {
        _rows = rows;
        _bounds = bounds;
        var names = new List<string>();
        int low = 0;
        foreach (int bound in bounds)
        {
            names.Add(low == bound ? $"{bound}" : $"{low}–{bound}");
            low = bound + 1;
        }
        names.Add($">{bounds[^1]}");
        Names = names;
    }

    /// <summary>Bucket names, sparsest first.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Counts each user's rows in <paramref name="trainingRows"/>.</summary>
    public static UserActivityBuckets FromRows(IEnumerable<ImpressionBatch> trainingRows, IReadOnlyList<int> bounds)
    {
        ArgumentNullException.ThrowIfNull(trainingRows);
        ArgumentNullException.ThrowIfNull(bounds);
        if (bounds.Count == 0 || bounds.Zip(bounds.Skip(1)).Any(p => p.First >= p.Second) || bounds[0] < 0)
            throw new ArgumentException("Bounds must be non-negative and increasing, e.g. [5, 20].", nameof(bounds));
        var rows = new Dictionary<int, int>();
        foreach (var batch in trainingRows)
            foreach (int user in batch.UserId) rows[user] = rows.GetValueOrDefault(user) + 1;
        return new UserActivityBuckets(rows, bounds);
    }

    /// <summary>The bucket of a user (users without training rows fall in the first).</summary>
    public string Of(int userId)
    {
        int rows = _rows.GetValueOrDefault(userId);
        for (int b = 0; b < _bounds.Count; b++) if (rows <= _bounds[b]) return Names[b];
        return Names[^1];
    }

    /// <summary>The bucket of a user id given as text (how <see cref="GaucEvaluator.EvaluateByBucket"/> passes groups).</summary>
    public string Of(string userId) => Of(int.Parse(userId, CultureInfo.InvariantCulture));
}
