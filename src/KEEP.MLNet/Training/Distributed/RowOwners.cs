namespace KEEP.MLNet.Training.Distributed;

/// <summary>
/// Which rank owns an embedding row when tables are sharded by row: row <c>id</c> lives on rank <c>id mod N</c>
/// at local row <c>id div N</c>, so every rank holds about 1/N of every table and the rows of one id range
/// spread evenly.
/// </summary>
internal readonly record struct RowOwners(int Ranks)
{
    /// <summary>The rank that owns global row <paramref name="id"/>.</summary>
    public int Owner(long id) => (int)(id % Ranks);

    /// <summary>The row of global row <paramref name="id"/> in its owner's shard.</summary>
    public long Local(long id) => id / Ranks;

    /// <summary>Rows of a table of <paramref name="rows"/> rows that <paramref name="rank"/> owns.</summary>
    public long ShardRows(long rows, int rank) => rows > rank ? (rows - rank + Ranks - 1) / Ranks : 0;

    /// <summary>
    /// Groups <paramref name="ids"/> by owner: the local rows to send each rank (concatenated in rank order), how
    /// many go to each, and for each id its position in the concatenation.
    /// </summary>
    public (long[] Local, int[] Counts, long[] Position) Split(long[] ids)
    {
        var counts = new int[Ranks];
        foreach (long id in ids) counts[Owner(id)]++;
        var start = new int[Ranks];
        for (int r = 1; r < Ranks; r++) start[r] = start[r - 1] + counts[r - 1];
        var local = new long[ids.Length];
        var position = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            int at = start[Owner(ids[i])]++;
            local[at] = Local(ids[i]);
            position[i] = at;
        }
        return (local, counts, position);
    }
}
