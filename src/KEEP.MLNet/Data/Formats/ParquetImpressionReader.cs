using Parquet;
using Parquet.Schema;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Streams impressions from a Parquet file one row group at a time; memory stays proportional to a row
/// group, not to the file. The schema is checked when the reader opens, and every row is validated as
/// it is read (ids ≥ 1, histories of equal length, labels consistent), each error naming file, row and column.
/// </summary>
public sealed class ParquetImpressionReader
{
    private readonly string _path;

    /// <summary>Opens <paramref name="path"/> and checks its schema.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="labelled">False for rows to be scored: <c>Day</c> and the labels may be absent (read as day 0 and false; see <see cref="MissingColumns"/>).</param>
    public ParquetImpressionReader(string path, bool labelled = true)
    {
        _path = path;
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found");
        using var stream = File.OpenRead(path);
        var reader = Open(stream);
        try
        {
            var present = reader.Schema.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
            var missing = new List<string>();
            foreach (string column in ImpressionColumns.All)
            {
                if (!present.TryGetValue(column, out var field) && !labelled && ImpressionColumns.Unlabelled.Contains(column))
                {
                    missing.Add(column);
                    continue;
                }
                if (field == null)
                    throw new DataFormatException(path, null, column, $"missing column; found: {string.Join(", ", present.Keys)}");
                CheckType(column, field);
            }
            MissingColumns = missing;
            RowCount = Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.OpenRowGroupReader(g).RowCount);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Optional columns the file does not have (only when opened unlabelled).</summary>
    public IReadOnlyList<string> MissingColumns { get; } = [];

    /// <summary>Rows in the file, from its metadata.</summary>
    public long RowCount { get; }

    /// <summary>Reads the file, yielding one batch per row group.</summary>
    public IEnumerable<ImpressionBatch> ReadBatches()
    {
        using var stream = File.OpenRead(_path);
        var reader = Open(stream);
        try
        {
            foreach (var batch in ReadGroups(reader)) yield return batch;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private IEnumerable<ImpressionBatch> ReadGroups(ParquetReader reader)
    {
        var fields = reader.Schema.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        long firstRow = 1;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            ImpressionBatch batch;
            try
            {
                batch = ReadGroupAsync(group, fields, firstRow).GetAwaiter().GetResult();
            }
            catch (DataFormatException) { throw; }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                throw new DataFormatException(_path, firstRow, null, $"row group {g} cannot be read ({e.Message}); the file may be truncated or corrupt", e);
            }
            firstRow += group.RowCount;
            yield return batch;
        }
    }

    private ParquetReader Open(Stream stream)
    {
        try
        {
            return ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException(_path, null, null, $"not a readable Parquet file ({e.Message})", e);
        }
    }

    private void CheckType(string column, Field field)
    {
        bool ok = ImpressionColumns.Histories.Contains(column)
            ? field is ListField { Item: DataField { ClrType: var t } } && t == typeof(int)
            : field is DataField data && data.ClrType == (ImpressionColumns.Labels.Contains(column) ? typeof(bool) : typeof(int)) && !data.IsArray;
        if (!ok)
        {
            string expected = ImpressionColumns.Histories.Contains(column) ? "a list of Int32" : ImpressionColumns.Labels.Contains(column) ? "Boolean" : "Int32";
            throw new DataFormatException(_path, null, column, $"expected {expected}, found {Describe(field)}");
        }
    }

    private static string Describe(Field field) => field switch
    {
        ListField list => $"a list of {Describe(list.Item)}",
        DataField data => data.ClrType.Name + (data.IsNullable ? " (nullable)" : ""),
        _ => field.SchemaType.ToString(),
    };

    private async Task<ImpressionBatch> ReadGroupAsync(ParquetRowGroupReader group, Dictionary<string, Field> fields, long firstRow)
    {
        int rows = checked((int)group.RowCount);
        var day = await ReadFlat<int>(group, fields, ImpressionColumns.Day, rows);
        var ids = new int[ImpressionColumns.Ids.Count][];
        for (int c = 0; c < ids.Length; c++) ids[c] = await ReadFlat<int>(group, fields, ImpressionColumns.Ids[c], rows);
        var histories = new (int[] Values, int[] Offsets)[ImpressionColumns.Histories.Count];
        for (int c = 0; c < histories.Length; c++) histories[c] = await ReadList(group, fields, ImpressionColumns.Histories[c], rows, firstRow);
        var labels = new bool[ImpressionColumns.Labels.Count][];
        for (int c = 0; c < labels.Length; c++) labels[c] = await ReadFlat<bool>(group, fields, ImpressionColumns.Labels[c], rows);

        var validator = new ImpressionRowValidator(_path, firstRow);
        var batch = new ImpressionBatch(Math.Max(rows, 1));
        var (items, offsets) = histories[0];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 1; c < histories.Length; c++)
                if (histories[c].Offsets[r + 1] - histories[c].Offsets[r] != offsets[r + 1] - offsets[r])
                    throw new DataFormatException(_path, firstRow + r, ImpressionColumns.Histories[c], $"has a different length than {ImpressionColumns.HistoryItemIds}");
            int start = offsets[r], length = offsets[r + 1] - start;
            var historyItems = items.AsSpan(start, length);
            var historyShops = histories[1].Values.AsSpan(histories[1].Offsets[r], length);
            var historyCategories = histories[2].Values.AsSpan(histories[2].Offsets[r], length);
            validator.Check(r, day[r], ids[0][r], ids[1][r], ids[2][r], ids[3][r], historyItems, historyShops, historyCategories, labels[0][r], labels[1][r], labels[2][r]);
            batch.Add(day[r], ids[0][r], ids[1][r], ids[2][r], ids[3][r], historyItems, historyShops, historyCategories, labels[0][r], labels[1][r], labels[2][r]);
        }
        return batch;
    }

    /// <summary>A flat column's values; an optional column the file lacks reads as default values.</summary>
    private static async Task<T[]> ReadFlat<T>(ParquetRowGroupReader group, Dictionary<string, Field> fields, string name, int rows) where T : struct
    {
        var values = new T[rows];
        if (!fields.TryGetValue(name, out var field)) return values;
        await group.ReadAsync<T>((DataField)field, values.AsMemory());
        return values;
    }

    private async Task<(int[] Values, int[] Offsets)> ReadList(ParquetRowGroupReader group, Dictionary<string, Field> fields, string name, int rows, long firstRow)
    {
        var element = (DataField)((ListField)fields[name]).Item;
        long levelCount = group.GetMetadata(element)?.MetaData?.NumValues
            ?? throw new DataFormatException(_path, firstRow, name, "column chunk has no metadata");
        var values = new int[levelCount];
        var definition = new int[levelCount];
        var repetition = new int[levelCount];
        await group.ReadRawAsync<int>(element, values.AsMemory(), definition.AsMemory(), repetition.AsMemory());
        int maxDefinition = element.MaxDefinitionLevel;
        var offsets = new int[rows + 1];
        int row = -1, count = 0;
        for (long k = 0; k < levelCount; k++)
        {
            if (repetition[k] == 0)
            {
                if (++row >= rows) break;
                offsets[row] = count;
            }
            if (definition[k] == maxDefinition) count++;
        }
        if (row != rows - 1) throw new DataFormatException(_path, firstRow, name, $"list column holds {row + 1} rows, the row group {rows}");
        offsets[rows] = count;
        return (values, offsets);
    }
}
