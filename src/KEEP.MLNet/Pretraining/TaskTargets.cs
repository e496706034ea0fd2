using KEEP.MLNet.Data;

namespace KEEP.MLNet.Pretraining;

/// <summary>
/// One task's supervision for a block: which rows it covers (every row for click, clicked rows for
/// conversion and cart), their labels, and the same-user pairs (better, worse) with different labels
/// that the pairwise loss ranks. Pairs are found by grouping rows per user: no quadratic scan of the block.
/// </summary>
public sealed class TaskTargets
{
    private TaskTargets(int[] rows, float[] labels, int[] better, int[] worse)
    {
        Rows = rows;
        Labels = labels;
        Better = better;
        Worse = worse;
    }

    /// <summary>Rows of the block the task covers.</summary>
    public int[] Rows { get; }
    /// <summary>Labels of those rows (0 or 1).</summary>
    public float[] Labels { get; }
    /// <summary>Row of the positive element of each pair.</summary>
    public int[] Better { get; }
    /// <summary>Row of the negative element of each pair (same user as <see cref="Better"/>).</summary>
    public int[] Worse { get; }

    /// <summary>
    /// Targets of <paramref name="task"/> for rows <paramref name="start"/>.. of a batch; without
    /// <paramref name="withPairs"/> (a loss with no pairwise term) no pairs are built.
    /// </summary>
    public static TaskTargets For(PretrainingTask task, ImpressionBatch batch, int start, int count, bool withPairs = true)
    {
        var rows = new List<int>(count);
        var labels = new List<float>(count);
        var byUser = new Dictionary<int, (List<int> Positive, List<int> Negative)>();
        for (int r = 0; r < count; r++)
        {
            int row = start + r;
            if (task != PretrainingTask.Click && !batch.Click[row]) continue;
            bool label = task switch
            {
                PretrainingTask.Click => batch.Click[row],
                PretrainingTask.Conversion => batch.Conversion[row],
                _ => batch.Cart[row],
            };
            rows.Add(r);
            labels.Add(label ? 1f : 0f);
            if (!withPairs) continue;
            if (!byUser.TryGetValue(batch.UserId[row], out var groups)) byUser[batch.UserId[row]] = groups = ([], []);
            (label ? groups.Positive : groups.Negative).Add(r);
        }
        var better = new List<int>();
        var worse = new List<int>();
        foreach (var (positive, negative) in byUser.Values)
            foreach (int p in positive)
                foreach (int n in negative) { better.Add(p); worse.Add(n); }
        return new TaskTargets([.. rows], [.. labels], [.. better], [.. worse]);
    }
}
