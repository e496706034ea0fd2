using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Evaluation;

/// <summary>
/// Computes <see cref="GaucMetrics"/> from a data view in one cursor pass, then one sort per group
/// (O(n log n) overall, no quadratic work). Labels follow ML.NET's binary evaluator: Boolean, or a number
/// where &gt; 0 is positive and NaN is skipped (and counted). Groups may be Int32, Int64, UInt32 or key
/// columns, or strings.
/// </summary>
public static class GaucEvaluator
{
    /// <summary>Evaluates <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    public static GaucMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string rowGroupColumnName = "UserId", string? probabilityColumnName = null)
        => EvaluateByBucket(data, _ => "all", labelColumnName, scoreColumnName, rowGroupColumnName, probabilityColumnName).GetValueOrDefault("all")
            ?? throw new ArgumentException("The data has no rows to evaluate.", nameof(data));

    /// <summary>
    /// Evaluates each bucket of groups separately — for instance users by activity in the training data,
    /// as the paper reports gains by sparsity. <paramref name="bucketOf"/> maps a group value (as a string)
    /// to its bucket name.
    /// </summary>
    public static IReadOnlyDictionary<string, GaucMetrics> EvaluateByBucket(IDataView data, Func<string, string> bucketOf,
        string labelColumnName = "Label", string scoreColumnName = "Score", string rowGroupColumnName = "UserId", string? probabilityColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(bucketOf);
        var rows = Collect(data, labelColumnName, scoreColumnName, rowGroupColumnName, probabilityColumnName);
        var groupBuckets = rows.GroupNames.Select(bucketOf).ToArray();
        return groupBuckets.Distinct().Order(StringComparer.Ordinal).ToDictionary(b => b, b => Compute(rows, g => groupBuckets[g] == b));
    }

    /// <summary>GAUC of plain arrays: scores, labels and a group (e.g. the user id) per row.</summary>
    public static GaucMetrics Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<int> groups)
    {
        if (scores.Length != labels.Length || scores.Length != groups.Length) throw new ArgumentException("Scores, labels and groups differ in length.");
        int nan = scores.IndexOfAnyExceptInRange(float.NegativeInfinity, float.PositiveInfinity);
        if (nan >= 0) throw new ArgumentException($"Score {nan:N0} is NaN; GAUC needs every row scored.", nameof(scores));
        var (dense, names) = Intern(groups);
        return Compute(new Rows(scores.ToArray(), labels.ToArray(), dense, null, names, 0), _ => true);
    }

    /// <summary>AUC (NaN when single-class) and row count of every group, in order of first appearance.</summary>
    internal static (double Auc, int Rows)[] GroupAucs(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<int> groups)
    {
        if (scores.Length != labels.Length || scores.Length != groups.Length) throw new ArgumentException("Scores, labels and groups differ in length.");
        var (dense, names) = Intern(groups);
        var (sortedScores, sortedLabels, start, _) = SortByGroup(new Rows(scores.ToArray(), labels.ToArray(), dense, null, names, 0), _ => true);
        return AucPerGroup(sortedScores, sortedLabels, start);
    }

    /// <summary>Group values → dense indices 0, 1, ... in order of first appearance, and their names.</summary>
    internal static (int[] Dense, string[] Names) Intern<T>(ReadOnlySpan<T> groups) where T : struct, IEquatable<T>, IFormattable
    {
        var index = new Dictionary<T, int>();
        var names = new List<string>();
        var dense = new int[groups.Length];
        for (int i = 0; i < groups.Length; i++)
        {
            ref int g = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(index, groups[i], out bool existed);
            if (!existed) { g = names.Count; names.Add(groups[i].ToString(null, System.Globalization.CultureInfo.InvariantCulture)); }
            dense[i] = g;
        }
        return (dense, [.. names]);
    }

    /// <summary>Collected rows: score, label, dense group and probability per row, the groups' names, and rows skipped for a NaN label.</summary>
    internal sealed record Rows(float[] Scores, bool[] Labels, int[] Groups, float[]? Probabilities, string[] GroupNames, long MissingLabels);

    /// <summary>The sums GAUC is made of: Σ n_g·AUC_g and Σ n_g over the two-class groups, their count, the single-class groups, and the summed log-loss.</summary>
    internal readonly record struct GroupSums(double WeightedAuc, long Weight, long Groups, long SingleClassGroups, double LogLoss);

    private static GaucMetrics Compute(Rows rows, Func<int, bool> includeGroup)
    {
        var (scores, labels, start, logLoss) = SortByGroup(rows, includeGroup);
        var sums = Sum(scores, labels, start, logLoss);
        int n = scores.Length;
        return new GaucMetrics
        {
            Gauc = sums.Weight == 0 ? double.NaN : sums.WeightedAuc / sums.Weight,
            Auc = RocAuc.Compute(scores, labels),
            LogLoss = rows.Probabilities == null || n == 0 ? double.NaN : logLoss / n,
            Groups = sums.Groups,
            SingleClassGroups = sums.SingleClassGroups,
            Impressions = n,
            WeightedImpressions = sums.Weight,
            MissingLabels = rows.MissingLabels,
        };
    }

    /// <summary>The GAUC sums of every group of <paramref name="rows"/>.</summary>
    internal static GroupSums Sums(Rows rows)
    {
        var (scores, labels, start, logLoss) = SortByGroup(rows, _ => true);
        return Sum(scores, labels, start, logLoss);
    }

    /// <summary>The summed log-loss (bits) of the rows' probabilities; 0 without probabilities.</summary>
    internal static double LogLossSum(Rows rows)
    {
        if (rows.Probabilities is not { } p) return 0;
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += LogLossBits(p[i], rows.Labels[i]);
        return sum;
    }

    private static GroupSums Sum(float[] scores, bool[] labels, int[] start, double logLoss)
    {
        double weighted = 0;
        long weight = 0, groups = 0, singleClass = 0;
        foreach (var (auc, length) in AucPerGroup(scores, labels, start))
        {
            if (double.IsNaN(auc)) { singleClass++; continue; }
            weighted += auc * length;
            weight += length;
            groups++;
        }
        return new GroupSums(weighted, weight, groups, singleClass, logLoss);
    }

    /// <summary>
    /// Counting sort of the included rows by group: scores and labels group after group, each group's start
    /// offset (plus a final end offset), and the summed log-loss of those rows when probabilities exist.
    /// </summary>
    private static (float[] Scores, bool[] Labels, int[] Start, double LogLoss) SortByGroup(Rows rows, Func<int, bool> includeGroup)
    {
        int groupCount = rows.GroupNames.Length;
        var start = new int[groupCount + 1];
        int n = 0;
        for (int i = 0; i < rows.Groups.Length; i++)
            if (includeGroup(rows.Groups[i])) { start[rows.Groups[i] + 1]++; n++; }
        for (int g = 0; g < groupCount; g++) start[g + 1] += start[g];
        var next = (int[])start.Clone();
        var scores = new float[n];
        var labels = new bool[n];
        double logLoss = 0;
        for (int i = 0; i < rows.Groups.Length; i++)
        {
            int g = rows.Groups[i];
            if (!includeGroup(g)) continue;
            int k = next[g]++;
            scores[k] = rows.Scores[i];
            labels[k] = rows.Labels[i];
            if (rows.Probabilities is { } p) logLoss += LogLossBits(p[i], rows.Labels[i]);
        }
        return (scores, labels, start, logLoss);
    }

    /// <summary>AUC and size of every non-empty group of rows sorted by group.</summary>
    private static (double Auc, int Rows)[] AucPerGroup(float[] scores, bool[] labels, int[] start)
    {
        var result = new List<(double, int)>();
        for (int g = 0; g + 1 < start.Length; g++)
        {
            int length = start[g + 1] - start[g];
            if (length > 0) result.Add((RocAuc.Compute(scores.AsSpan(start[g], length), labels.AsSpan(start[g], length)), length));
        }
        return [.. result];
    }

    private static double LogLossBits(float probability, bool label)
    {
        const double epsilon = 1e-15;
        double p = Math.Clamp(probability, epsilon, 1 - epsilon);
        return -Math.Log2(label ? p : 1 - p);
    }

    /// <summary>The labelled rows of <paramref name="data"/> (one cursor pass), with the columns checked by name and type.</summary>
    internal static Rows Collect(IDataView data, string labelName, string scoreName, string groupName, string? probabilityName)
    {
        var schema = data.Schema;
        var label = Column(schema, labelName, "the label (Boolean or a number)");
        var score = Column(schema, scoreName, "the score (Single)");
        var group = Column(schema, groupName, "the row group (Int32, Int64, UInt32, a key or a string)");
        var probability = probabilityName == null ? (DataViewSchema.Column?)null : Column(schema, probabilityName, "the probability (Single)");
        if (score.Type != NumberDataViewType.Single) throw new ArgumentException($"Column '{scoreName}' is {score.Type}; expected Single.");
        if (probability is { } pc && pc.Type != NumberDataViewType.Single) throw new ArgumentException($"Column '{probabilityName}' is {pc.Type}; expected Single.");

        using var cursor = data.GetRowCursor(new[] { label, score, group }.Concat(probability is { } p ? [p] : []));
        var readLabel = LabelReader(cursor, label);
        var names = new List<string>();
        var readGroup = GroupReader(cursor, group, names);
        var scoreGetter = cursor.GetGetter<float>(score);
        var probabilityGetter = probability is { } c ? cursor.GetGetter<float>(c) : null;
        var scores = new List<float>();
        var labels = new List<bool>();
        var groups = new List<int>();
        var probabilities = probability is null ? null : new List<float>();
        long missing = 0;
        float s = 0, prob = 0;
        while (cursor.MoveNext())
        {
            bool? y = readLabel();
            if (y is null) { missing++; continue; }
            scoreGetter(ref s);
            if (float.IsNaN(s)) throw new ArgumentException($"Column '{scoreName}' is NaN at row {cursor.Position:N0}: the model produced no score (check its input for NaN features); GAUC needs every labelled row scored.");
            int g = readGroup();
            scores.Add(s);
            labels.Add(y.Value);
            groups.Add(g);
            if (probabilityGetter != null) { probabilityGetter(ref prob); probabilities!.Add(prob); }
        }
        return new Rows([.. scores], [.. labels], [.. groups], probabilities?.ToArray(), [.. names], missing);
    }

    private static DataViewSchema.Column Column(DataViewSchema schema, string name, string what)
        => schema.GetColumnOrNull(name) ?? throw new ArgumentException($"Column '{name}' ({what}) not found; the data has: {string.Join(", ", schema.Select(c => c.Name))}.");

    /// <summary>Reads a label as true/false, or null when it is NaN.</summary>
    private static Func<bool?> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type == BooleanDataViewType.Instance)
        {
            var getter = cursor.GetGetter<bool>(column);
            bool value = false;
            return () => { getter(ref value); return value; };
        }
        if (column.Type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            return () => { getter(ref value); return float.IsNaN(value) ? null : value > 0; };
        }
        if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            double value = 0;
            return () => { getter(ref value); return double.IsNaN(value) ? null : value > 0; };
        }
        throw new ArgumentException($"Column '{column.Name}' is {column.Type}; expected a Boolean, Single or Double label.");
    }

    /// <summary>Reads a row's group as a dense index (0, 1, ... in order of first appearance), naming new groups in <paramref name="names"/>.</summary>
    private static Func<int> GroupReader(DataViewRowCursor cursor, DataViewSchema.Column column, List<string> names)
    {
        var type = column.Type;
        if (type == NumberDataViewType.Int32) return Numeric<int>(cursor, column, names, v => v);
        if (type == NumberDataViewType.Int64) return Numeric<long>(cursor, column, names, v => v);
        if (type == NumberDataViewType.UInt32 || type is KeyDataViewType { RawType: var t } && t == typeof(uint)) return Numeric<uint>(cursor, column, names, v => v);
        if (type == TextDataViewType.Instance)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            ReadOnlyMemory<char> value = default;
            return () =>
            {
                getter(ref value);
                string key = value.ToString();
                if (!index.TryGetValue(key, out int g)) { index[key] = g = names.Count; names.Add(key); }
                return g;
            };
        }
        throw new ArgumentException($"Column '{column.Name}' is {type}; expected Int32, Int64, UInt32, a key or a string group.");
    }

    private static Func<int> Numeric<T>(DataViewRowCursor cursor, DataViewSchema.Column column, List<string> names, Func<T, long> widen) where T : struct
    {
        var getter = cursor.GetGetter<T>(column);
        var index = new Dictionary<long, int>();
        T value = default;
        return () =>
        {
            getter(ref value);
            long key = widen(value);
            ref int g = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(index, key, out bool existed);
            if (!existed) { g = names.Count; names.Add(key.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
            return g;
        };
    }
}
