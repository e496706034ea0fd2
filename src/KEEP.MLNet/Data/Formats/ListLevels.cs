namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Dremel levels of a Parquet list column whose rows hold offsets[r] .. offsets[r + 1]: an empty list is
/// one entry at definition level 1; each element is an entry at level 2, with repetition level 0 when it
/// starts a row and 1 when it continues one.
/// </summary>
internal static class ListLevels
{
    /// <summary>Builds the levels; returns (definition, repetition) arrays of equal length.</summary>
    public static (int[] Definition, int[] Repetition) Of(ReadOnlySpan<int> offsets)
    {
        int rows = offsets.Length - 1;
        int count = 0;
        for (int r = 0; r < rows; r++) count += Math.Max(1, offsets[r + 1] - offsets[r]);
        var definition = new int[count];
        var repetition = new int[count];
        int k = 0;
        for (int r = 0; r < rows; r++)
        {
            int length = offsets[r + 1] - offsets[r];
            if (length == 0) { definition[k] = 1; repetition[k++] = 0; continue; }
            for (int j = 0; j < length; j++) { definition[k] = 2; repetition[k++] = j == 0 ? 0 : 1; }
        }
        return (definition, repetition);
    }
}
