using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Data;

/// <summary>Opens and writes impression files by extension: <c>.parquet</c> or <c>.csv</c>.</summary>
public static class ImpressionFile
{
    /// <summary>Streams the batches of an impression file; the schema is checked before the first batch.</summary>
    public static IEnumerable<ImpressionBatch> Read(string path)
    {
        return FormatOf(path) switch
        {
            ".parquet" => new ParquetImpressionReader(path).ReadBatches(),
            _ => new CsvImpressionReader(path).ReadBatches(),
        };
    }

    /// <summary>
    /// An <see cref="Microsoft.ML.IDataView"/> over an impression file, read lazily each time a cursor opens.
    /// With a positive <paramref name="historyLength"/> the histories are fixed-length vectors (most recent
    /// last, padded with 0 on the left), the form that KEEP's saved models take.
    /// </summary>
    public static ImpressionDataView Load(string path, int historyLength = 0)
    {
        long? rows = FormatOf(path) == ".parquet" ? new ParquetImpressionReader(path).RowCount : null;
        if (rows == null) _ = new CsvImpressionReader(path);
        return new ImpressionDataView(() => Read(path), rows, historyLength);
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
