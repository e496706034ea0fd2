namespace KEEP.MLNet.Retrieval;

/// <summary>The result of a search: for each query, k indexed row numbers (best first, −1 where fewer matched) and their BM25 scores.</summary>
public sealed class RetrievedRows
{
    private readonly int[] _rows;
    private readonly float[] _scores;

    internal RetrievedRows(int queries, int neighbours)
    {
        Queries = queries;
        Neighbours = neighbours;
        _rows = new int[queries * neighbours];
        _scores = new float[queries * neighbours];
    }

    /// <summary>Number of queries.</summary>
    public int Queries { get; }
    /// <summary>Rows per query (k).</summary>
    public int Neighbours { get; }
    /// <summary>All retrieved row numbers, query after query.</summary>
    public ReadOnlySpan<int> Rows => _rows;

    /// <summary>The results of some queries only, in the order given.</summary>
    internal RetrievedRows Select(IReadOnlyList<int> queries)
    {
        var subset = new RetrievedRows(queries.Count, Neighbours);
        for (int q = 0; q < queries.Count; q++)
        {
            RowsOf(queries[q]).CopyTo(subset.RowsOf(q));
            ScoresOf(queries[q]).CopyTo(subset.ScoresOf(q));
        }
        return subset;
    }

    /// <summary>The retrieved rows of one query.</summary>
    public Span<int> RowsOf(int query) => _rows.AsSpan(query * Neighbours, Neighbours);
    /// <summary>The scores of one query's rows.</summary>
    public Span<float> ScoresOf(int query) => _scores.AsSpan(query * Neighbours, Neighbours);
}
