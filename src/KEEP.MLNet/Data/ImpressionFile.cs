using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Data;

/// <summary>Opens and writes impression files by extension: <c>.parquet</c> or <c>.csv</c>.</summary>
public static class ImpressionFile
{
    /// <summary>Streams the batches of an impression file; the schema is checked before the first batch.</summary>
    /// <param name="path">A <c>.parquet</c> or <c>.csv</c> file.</param>
    /// <param name="labelled">False for rows to be scored: <c>Day</c> and the labels may be absent (read as day 0 and false).</param>
    public static IEnumerable<ImpressionBatch> Read(string path, bool labelled = true)
    {
        return FormatOf(path) switch
        {
            ".parquet" => new ParquetImpressionReader(path, labelled).ReadBatches(),
            _ => new CsvImpressionReader(path, labelled).ReadBatches(),
        };
    }

    /// <summary>The columns of <see cref="ImpressionColumns.Unlabelled"/> that the file lacks (rows to be scored need none of them).</summary>
    public static IReadOnlyList<string> MissingUnlabelledColumns(string path)
        => FormatOf(path) == ".parquet" ? new ParquetImpressionReader(path, labelled: false).MissingColumns : new CsvImpressionReader(path, labelled: false).MissingColumns;

    /// <summary>
    /// An <see cref="Microsoft.ML.IDataView"/> over an impression file, read lazily each time a cursor opens.
    /// With a positive <paramref name="historyLength"/> the histories are fixed-length vectors (most recent
    /// last, padded with 0 on the left), the form that KEEP's saved models take.
    /// </summary>
    /// <param name="path">A <c>.parquet</c> or <c>.csv</c> file.</param>
    /// <param name="historyLength">Fixed history length of the view's vectors; 0 for variable-length histories.</param>
    /// <param name="labelled">False for rows to be scored: <c>Day</c> and the labels may be absent (the view shows day 0 and false).</param>
    public static ImpressionDataView Load(string path, int historyLength = 0, bool labelled = true)
    {
        long? rows = FormatOf(path) == ".parquet" ? new ParquetImpressionReader(path, labelled).RowCount : null;
        if (rows == null) _ = new CsvImpressionReader(path, labelled);
        return new ImpressionDataView(() => Read(path, labelled), rows, historyLength);
    }

    /// <summary>Writes batches to <paramref name="path"/> atomically; returns the row count.</summary>
    public static long Write(string path, IEnumerable<ImpressionBatch> batches)
    {
        if (FormatOf(path) == ".parquet")
        {
            using var parquet = new ParquetImpressionWriter(path);
            foreach (var batch in batches) parquet.Write(batch);
            parquet.Complete();
            return parquet.RowsWritten;
        }
        using var csv = new CsvImpressionWriter(path);
        foreach (var batch in batches) csv.Write(batch);
        csv.Complete();
        return csv.RowsWritten;
    }

    private static string FormatOf(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".parquet" or ".csv"
            ? extension
            : throw new DataFormatException(path, null, null, $"unknown format '{extension}'; use .parquet or .csv");
    }
}
