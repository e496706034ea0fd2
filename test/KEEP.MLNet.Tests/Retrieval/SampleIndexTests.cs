using KEEP.MLNet.Data;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Tests.Retrieval;

[TestClass]
public sealed class SampleIndexTests
{
    private static readonly Lazy<SampleIndex> Index = new(() => SampleIndex.Build(() => TestModels.SuperRows(_ => true)));

    [TestMethod]
    public void Never_retrieves_the_row_itself_its_day_or_anything_later()
    {
        var index = Index.Value;
        int queries = 0, retrieved = 0;
        foreach (var batch in TestModels.SuperRows(_ => true).Take(6))
        {
            var result = index.Search(batch);
            for (int q = 0; q < batch.Count; q++, queries++)
            {
                foreach (int row in result.RowsOf(q))
                {
                    if (row < 0) continue;
                    retrieved++;
                    Assert.IsLessThan(batch.Day[q], index.Day[row], $"query {queries} (day {batch.Day[q]}) retrieved row {row} of day {index.Day[row]}");
                }
                // Best first, and padding (−1) only after real rows.
                var rows = result.RowsOf(q).ToArray();
                var scores = result.ScoresOf(q).ToArray();
                for (int k = 1; k < rows.Length; k++)
                {
                    Assert.IsGreaterThanOrEqualTo(scores[k], scores[k - 1]);
                    if (rows[k - 1] < 0) Assert.AreEqual(-1, rows[k]);
                }
                if (batch.Day[q] == index.Day[0]) Assert.IsTrue(rows.All(r => r < 0), "the first day has nothing earlier to retrieve");
            }
        }
        Assert.IsGreaterThan(queries, retrieved, "later days must retrieve earlier rows");
    }

    [TestMethod]
    public void Top_k_equals_a_brute_force_BM25_over_all_earlier_rows()
    {
        var options = new RetrievalOptions { MaxPostingsPerToken = int.MaxValue, Neighbours = 5 };
        var all = new ImpressionBatch();
        foreach (var batch in TestModels.SuperRows(_ => true))
            for (int r = 0; r < batch.Count && all.Count < 12_000; r++) all.AddRow(batch, r);
        using var index = SampleIndex.Build(() => [all], options);
        var queries = new ImpressionBatch();
        for (int r = all.Count - 1; queries.Count < 40; r -= 97) queries.AddRow(all, r);

        // The test's own tokens and BM25 (tf = 1), from the definition.
        var tokens = Enumerable.Range(0, all.Count).Select(r => Tokens(all, r, options.BehaviourTokens)).ToArray();
        var df = tokens.SelectMany(t => t).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        double average = tokens.Average(t => t.Count);
        double Bm25(HashSet<string> query, int row) => query.Where(tokens[row].Contains).Sum(t =>
            Math.Log(1 + (all.Count - df[t] + 0.5) / (df[t] + 0.5)) * (options.K1 + 1) / (1 + options.K1 * (1 - options.B + options.B * tokens[row].Count / average)));

        var result = index.Search(queries);
        for (int q = 0; q < queries.Count; q++)
        {
            var query = Tokens(queries, q, options.BehaviourTokens);
            var expected = Enumerable.Range(0, all.Count).Where(r => all.Day[r] < queries.Day[q])
                .Select(r => (Row: r, Score: Bm25(query, r))).Where(p => p.Score > 0)
                .OrderByDescending(p => p.Score).ThenByDescending(p => p.Row).Take(options.Neighbours).ToArray();
            var rows = result.RowsOf(q).ToArray();
            var scores = result.ScoresOf(q).ToArray();
            for (int k = 0; k < options.Neighbours; k++)
            {
                if (k >= expected.Length) { Assert.AreEqual(-1, rows[k]); continue; }
                Assert.AreEqual(expected[k].Score, scores[k], 1e-4, $"query {q}, rank {k}");
                // Equal scores may order differently after float rounding; the score at each rank must match.
                Assert.AreEqual(expected[k].Score, Bm25(query, rows[k]), 1e-4, $"query {q}, rank {k}: row {rows[k]}");
            }
        }
    }

    [TestMethod]
    public void Rows_out_of_day_order_are_refused_with_the_row_and_days()
    {
        var rows = new ImpressionBatch();
        rows.Add(3, 1, 1, 1, 1, [], [], [], false, false, false);
        rows.Add(2, 2, 2, 2, 2, [], [], [], true, false, false);
        var e = Assert.ThrowsExactly<ArgumentException>(() => SampleIndex.Build(() => [rows]));
        StringAssert.Contains(e.Message, "row 1 has day 2 after day 3");
    }

    private static HashSet<string> Tokens(ImpressionBatch batch, int row, int behaviours)
    {
        var set = new HashSet<string> { $"u{batch.UserId[row]}", $"i{batch.ItemId[row]}", $"s{batch.ShopId[row]}", $"c{batch.CategoryId[row]}" };
        var history = batch.HistoryItemsOf(row).ToArray().Where(id => id != 0).Reverse().Distinct().Take(behaviours);
        foreach (int item in history) set.Add($"b{item}");
        return set;
    }
}
