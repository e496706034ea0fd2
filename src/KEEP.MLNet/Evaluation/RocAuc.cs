namespace KEEP.MLNet.Evaluation;

/// <summary>
/// Area under the ROC curve by ranks (Mann–Whitney U): O(n log n), tied scores count ½. Returns NaN when
/// the labels are all of one class.
/// </summary>
public static class RocAuc
{
    /// <summary>AUC of <paramref name="scores"/> against <paramref name="labels"/> (true = positive).</summary>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length) throw new ArgumentException("Scores and labels differ in length.");
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double rankSumPositive = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end < n && keys[end] == keys[start]) end++;
            double averageRank = (start + end + 1) / 2.0; // ranks start..end-1 are 1-based start+1..end
            for (int k = start; k < end; k++)
                if (labels[order[k]]) { rankSumPositive += averageRank; positives++; }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
