namespace KEEP.MLNet.Pretraining;

/// <summary>
/// Inference over many rows in network passes of at most <see cref="Rows"/> rows. One pass over a whole file block
/// (65,536 rows) allocates gigabytes of attention activations (rows × history × width) and runs memory-bound at a
/// fraction of the speed; passes of a few thousand rows give the same values (each row's output depends only on its row).
/// </summary>
internal static class InferencePasses
{
    /// <summary>Rows per pass (as the ML.NET transformers' blocks).</summary>
    public const int Rows = 2048;

    /// <summary>The row ranges (start, count) of the passes over <paramref name="count"/> rows.</summary>
    public static IEnumerable<(int Start, int Count)> Over(int count)
    {
        for (int start = 0; start < count; start += Rows) yield return (start, Math.Min(Rows, count - start));
    }

    /// <summary>Arrays of consecutive passes' rows joined into one.</summary>
    public static float[] Join(IReadOnlyList<float[]> parts)
    {
        if (parts.Count == 1) return parts[0];
        var joined = new float[parts.Sum(p => (long)p.Length)];
        long at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(joined, at);
            at += part.Length;
        }
        return joined;
    }
}
