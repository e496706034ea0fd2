using KEEP.MLNet.Data;

namespace KEEP.MLNet.Retrieval;

/// <summary>
/// An inverted index over past impressions (RIM-style sample retrieval): feature token → the rows that
/// carry it, in row order. A query row gets the k rows with the highest BM25 score over its tokens among
/// rows of <b>strictly earlier days</b> — the row itself, its day and anything later are never returned, so
/// a label retrieved for a row was known before the row happened. Built by streaming the rows twice
/// (count, then fill); it keeps per row only its ids, day, click and a length norm.
/// </summary>
public sealed class SampleIndex : IDisposable
{
    private readonly RetrievalOptions _options;
    private readonly int[] _day, _user, _item, _shop, _category;
    private readonly bool[] _click;
    private readonly float[] _norm;
    private readonly Dictionary<long, int> _tokens;
    private readonly int[] _postingStart, _postings;
    private readonly float[] _idf;
    private readonly ThreadLocal<Scratch> _scratch;

    private SampleIndex(RetrievalOptions options, RowColumns rows, Dictionary<long, int> tokens, int[] postingStart, int[] postings, float[] norm, float[] idf)
    {
        _options = options;
        (_day, _user, _item, _shop, _category, _click) = (rows.Day.ToArray(), rows.User.ToArray(), rows.Item.ToArray(), rows.Shop.ToArray(), rows.Category.ToArray(), rows.Click.ToArray());
        _tokens = tokens;
        _postingStart = postingStart;
        _postings = postings;
        _norm = norm;
        _idf = idf;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(_day.Length));
    }

    /// <summary>The settings.</summary>
    public RetrievalOptions Options => _options;
    /// <summary>Rows indexed.</summary>
    public int Count => _day.Length;
    /// <summary>Distinct tokens.</summary>
    public int TokenCount => _tokens.Count;
    /// <summary>Postings stored (token occurrences).</summary>
    public long PostingCount => _postings.Length;

    /// <summary>Day of every indexed row.</summary>
    public ReadOnlySpan<int> Day => _day;
    /// <summary>User id of every indexed row.</summary>
    public ReadOnlySpan<int> UserId => _user;
    /// <summary>Item id of every indexed row.</summary>
    public ReadOnlySpan<int> ItemId => _item;
    /// <summary>Shop id of every indexed row.</summary>
    public ReadOnlySpan<int> ShopId => _shop;
    /// <summary>Category id of every indexed row.</summary>
    public ReadOnlySpan<int> CategoryId => _category;
    /// <summary>Click label of every indexed row.</summary>
    public ReadOnlySpan<bool> Click => _click;

    /// <summary>
    /// Indexes <paramref name="rows"/> (called twice; rows in day order, as KEEP's files are).
    /// <paramref name="progress"/> receives the rows read so far.
    /// </summary>
    public static SampleIndex Build(Func<IEnumerable<ImpressionBatch>> rows, RetrievalOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new RetrievalOptions();
        options.Validate();
        var columns = new RowColumns();
        var tokens = new Dictionary<long, int>();
        var frequency = new List<int>();
        var lengths = new List<byte>();
        Span<long> buffer = stackalloc long[RowTokens.MaxCount(options)];
        foreach (var batch in rows())
        {
            for (int r = 0; r < batch.Count; r++)
            {
                if (columns.Day.Count > 0 && batch.Day[r] < columns.Day[^1])
                    throw new ArgumentException($"Rows must be in day order to be indexed: row {columns.Day.Count:N0} has day {batch.Day[r]} after day {columns.Day[^1]}.", nameof(rows));
                if (columns.Day.Count == int.MaxValue) throw new ArgumentException("More than 2^31 rows cannot be indexed in one index; shard the data by time.", nameof(rows));
                columns.Add(batch, r);
                int n = RowTokens.Of(batch, r, options.BehaviourTokens, buffer);
                lengths.Add((byte)n);
                foreach (long token in buffer[..n])
                {
                    if (tokens.TryGetValue(token, out int id)) frequency[id]++;
                    else { tokens[token] = frequency.Count; frequency.Add(1); }
                }
            }
            progress?.Report(columns.Day.Count);
        }
        if (columns.Day.Count == 0) throw new ArgumentException("There are no rows to index.", nameof(rows));

        var start = new int[frequency.Count + 1];
        for (int t = 0; t < frequency.Count; t++) start[t + 1] = checked(start[t] + frequency[t]);
        var postings = new int[start[^1]];
        var cursor = start[..^1];
        int row = 0;
        foreach (var batch in rows())
        {
            for (int r = 0; r < batch.Count; r++, row++)
            {
                if (row >= columns.Day.Count) throw new InvalidOperationException("The rows changed between the two passes of indexing.");
                int n = RowTokens.Of(batch, r, options.BehaviourTokens, buffer);
                foreach (long token in buffer[..n]) postings[cursor[tokens[token]]++] = row;
            }
        }
        if (row != columns.Day.Count) throw new InvalidOperationException("The rows changed between the two passes of indexing.");

        // BM25 with tf = 1 (a row's tokens are distinct): score = Σ idf(t) · (k1 + 1) / (1 + k1 · (1 − b + b · |d| / avg|d|)).
        double average = lengths.Average(l => (double)l), k1 = options.K1, b = options.B;
        var norm = lengths.Select(l => (float)((k1 + 1) / (1 + k1 * (1 - b + b * l / average)))).ToArray();
        int total = columns.Day.Count;
        var idf = frequency.Select(df => (float)Math.Log(1 + (total - df + 0.5) / (df + 0.5))).ToArray();
        return new SampleIndex(options, columns, tokens, start, postings, norm, idf);
    }

    /// <summary>The k best earlier-day rows for every row of <paramref name="queries"/> (rows in parallel).</summary>
    public RetrievedRows Search(ImpressionBatch queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        int k = _options.Neighbours;
        var result = new RetrievedRows(queries.Count, k);
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, q =>
            Query(queries, q, result.RowsOf(q), result.ScoresOf(q)));
        return result;
    }

    /// <summary>BM25 score of indexed row <paramref name="row"/> for query row <paramref name="query"/>, ignoring days (for checks).</summary>
    public double Score(ImpressionBatch queries, int query, int row)
    {
        Span<long> buffer = stackalloc long[RowTokens.MaxCount(_options)];
        int n = RowTokens.Of(queries, query, _options.BehaviourTokens, buffer);
        double sum = 0;
        foreach (long token in buffer[..n])
        {
            if (!_tokens.TryGetValue(token, out int t)) continue;
            if (Array.BinarySearch(_postings, _postingStart[t], _postingStart[t + 1] - _postingStart[t], row) >= 0) sum += _idf[t];
        }
        return sum * _norm[row];
    }

    private void Query(ImpressionBatch queries, int query, Span<int> rows, Span<float> scores)
    {
        var scratch = _scratch.Value!;
        Span<long> buffer = stackalloc long[RowTokens.MaxCount(_options)];
        int n = RowTokens.Of(queries, query, _options.BehaviourTokens, buffer);
        int day = queries.Day[query];
        foreach (long token in buffer[..n])
        {
            if (!_tokens.TryGetValue(token, out int t)) continue;
            int first = _postingStart[t], end = EarlierDaysEnd(first, _postingStart[t + 1], day);
            float idf = _idf[t];
            for (int p = end - 1; p >= Math.Max(first, end - _options.MaxPostingsPerToken); p--) scratch.Add(_postings[p], idf);
        }
        scratch.TakeBest(_norm, rows, scores);
    }

    /// <summary>End of the postings in [start, end) whose rows are of a day before <paramref name="day"/> (rows are in day order).</summary>
    private int EarlierDaysEnd(int start, int end, int day)
    {
        while (start < end)
        {
            int middle = (start + end) >>> 1;
            if (_day[_postings[middle]] < day) start = middle + 1; else end = middle;
        }
        return start;
    }

    /// <summary>Releases the per-thread score buffers.</summary>
    public void Dispose() => _scratch.Dispose();

    /// <summary>Per-thread score accumulator over all rows, reset after each query by its list of touched rows.</summary>
    private sealed class Scratch(int rows)
    {
        private readonly float[] _sum = new float[rows];
        private readonly List<int> _touched = [];

        public void Add(int row, float idf)
        {
            if (_sum[row] == 0) _touched.Add(row);
            _sum[row] += idf;
        }

        /// <summary>Writes the best rows (highest score; the later row on ties), −1 where fewer matched; clears.</summary>
        public void TakeBest(float[] norm, Span<int> rows, Span<float> scores)
        {
            rows.Fill(-1);
            scores.Clear();
            int filled = 0;
            foreach (int row in _touched)
            {
                float score = _sum[row] * norm[row];
                _sum[row] = 0;
                if (filled == rows.Length && !Better(score, row, scores[filled - 1], rows[filled - 1])) continue;
                int at = filled < rows.Length ? filled++ : filled - 1;
                while (at > 0 && Better(score, row, scores[at - 1], rows[at - 1]))
                {
                    rows[at] = rows[at - 1];
                    scores[at] = scores[at - 1];
                    at--;
                }
                rows[at] = row;
                scores[at] = score;
            }
            _touched.Clear();
        }

        private static bool Better(float score, int row, float otherScore, int otherRow) => score > otherScore || (score == otherScore && row > otherRow);
    }

    /// <summary>The per-row columns kept while indexing.</summary>
    private sealed class RowColumns
    {
        public readonly List<int> Day = [], User = [], Item = [], Shop = [], Category = [];
        public readonly List<bool> Click = [];

        public void Add(ImpressionBatch batch, int r)
        {
            Day.Add(batch.Day[r]); User.Add(batch.UserId[r]); Item.Add(batch.ItemId[r]);
            Shop.Add(batch.ShopId[r]); Category.Add(batch.CategoryId[r]); Click.Add(batch.Click[r]);
        }
    }
}
