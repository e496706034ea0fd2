using Microsoft.ML;
using Microsoft.ML.Data;

namespace KEEP.MLNet.Data;

/// <summary>
/// Reads impressions out of any ML.NET <see cref="IDataView"/> into <see cref="ImpressionBatch"/> blocks,
/// by column name. Histories may be variable- or fixed-length vectors; padding zeros are dropped. Without
/// labels (for knowledge extraction) the day and labels are read as 0/false.
/// </summary>
public static class DataViewImpressions
{
    /// <summary>Checks that the columns exist with the right types; the message names the column and the expected type.</summary>
    public static void Validate(DataViewSchema schema, ImpressionColumnNames names, bool withLabels)
    {
        foreach (string id in names.IdColumns) Require(schema, id, t => t == NumberDataViewType.Int32, "Int32");
        foreach (string history in names.HistoryColumns)
            Require(schema, history, t => t is VectorDataViewType v && v.ItemType == NumberDataViewType.Int32, "a vector of Int32");
        if (!withLabels) return;
        Require(schema, names.Day, t => t == NumberDataViewType.Int32, "Int32");
        foreach (string label in names.LabelColumns) Require(schema, label, t => t == BooleanDataViewType.Instance, "Boolean");
    }

    /// <summary>
    /// As <see cref="Validate"/>, and the histories must be vectors of exactly <paramref name="historyLength"/> Int32,
    /// the form saved models (ML.NET's ONNX transformer) need.
    /// </summary>
    public static void ValidateFixedLength(DataViewSchema schema, ImpressionColumnNames names, bool withLabels, int historyLength)
    {
        Validate(schema, names, withLabels);
        foreach (string history in names.HistoryColumns)
        {
            var type = (VectorDataViewType)schema[history].Type;
            if (type.Size != historyLength)
                throw new ArgumentException($"Column '{history}' is {type}; expected a vector of exactly {historyLength} Int32 " +
                    "(most recent behaviour last, padded with 0 on the left), as saved models need. Load files with ImpressionFile.Load(path, historyLength).", nameof(schema));
        }
    }

    private static void Require(DataViewSchema schema, string name, Func<DataViewType, bool> ok, string expected)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"Column '{name}' not found; expected {expected}. The input has: {string.Join(", ", schema.Select(c => c.Name))}.", nameof(schema));
        if (!ok(column.Type)) throw new ArgumentException($"Column '{name}' is {column.Type}; expected {expected}.", nameof(schema));
    }

    /// <summary>Streams the rows of <paramref name="data"/> in blocks of <paramref name="blockSize"/>.</summary>
    public static IEnumerable<ImpressionBatch> Read(IDataView data, ImpressionColumnNames names, bool withLabels, int blockSize = 2048)
    {
        Validate(data.Schema, names, withLabels);
        return ReadRows(data, names, withLabels ? names.Day : null, withLabels ? [.. names.LabelColumns] : null, null, blockSize);
    }

    /// <summary>
    /// Checks the columns a one-label model trains on: the ids, the behaviours, the Boolean label column and, when present,
    /// the Int32 day column; with <paramref name="historyLength"/>, histories of exactly that length (<see cref="ValidateFixedLength"/>).
    /// </summary>
    public static void ValidateSingleLabel(DataViewSchema schema, ImpressionColumnNames names, string labelColumnName, int? historyLength = null)
    {
        if (historyLength is int length) ValidateFixedLength(schema, names, withLabels: false, length);
        else Validate(schema, names, withLabels: false);
        Require(schema, labelColumnName, t => t == BooleanDataViewType.Instance, "Boolean (ML.NET's binary label type)");
        if (schema.GetColumnOrNull(names.Day) != null) Require(schema, names.Day, t => t == NumberDataViewType.Int32, "Int32");
    }

    /// <summary>
    /// Streams rows with one label, read from <paramref name="labelColumnName"/> into <paramref name="label"/>'s slot. Cart
    /// and conversion imply a click: for those labels the Click column, when the input has one, marks the clicked rows
    /// (the only ones such a model learns from); without it every row counts as clicked (the caller passes the rows the
    /// model is for). The day is read when the column exists, else every row is day 0.
    /// </summary>
    public static IEnumerable<ImpressionBatch> ReadSingleLabel(IDataView data, ImpressionColumnNames names, ImpressionLabel label, string labelColumnName, int blockSize = 2048)
    {
        ValidateSingleLabel(data.Schema, names, labelColumnName);
        bool clickColumn = label != ImpressionLabel.Click && labelColumnName != names.Click && data.Schema.GetColumnOrNull(names.Click)?.Type == BooleanDataViewType.Instance;
        return ReadRows(data, names, data.Schema.GetColumnOrNull(names.Day) != null ? names.Day : null,
            clickColumn ? [labelColumnName, names.Click] : [labelColumnName], label, blockSize);
    }

    /// <summary>
    /// The reader under both forms: <paramref name="labelColumns"/> null (no labels), the three labels in
    /// <see cref="ImpressionColumnNames.LabelColumns"/> order (<paramref name="single"/> null), or one label into <paramref name="single"/>'s slot.
    /// </summary>
    private static IEnumerable<ImpressionBatch> ReadRows(IDataView data, ImpressionColumnNames names, string? dayColumn, string[]? labelColumns, ImpressionLabel? single, int blockSize)
    {
        var columns = names.IdColumns.Concat(names.HistoryColumns).Concat(dayColumn != null ? [dayColumn] : []).Concat(labelColumns ?? [])
            .Select(n => data.Schema[n]).ToArray();
        using var cursor = data.GetRowCursor(columns);
        var ids = names.IdColumns.Select(n => cursor.GetGetter<int>(data.Schema[n])).ToArray();
        var histories = names.HistoryColumns.Select(n => cursor.GetGetter<VBuffer<int>>(data.Schema[n])).ToArray();
        var day = dayColumn != null ? cursor.GetGetter<int>(data.Schema[dayColumn]) : null;
        var labels = labelColumns?.Select(n => cursor.GetGetter<bool>(data.Schema[n])).ToArray();
        var id = new int[4];
        var buffers = new VBuffer<int>[3];
        var dense = new List<int>[] { [], [], [] };
        var batch = new ImpressionBatch(blockSize);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            for (int c = 0; c < 4; c++) ids[c](ref id[c]);
            for (int h = 0; h < 3; h++)
            {
                histories[h](ref buffers[h]);
                dense[h].Clear();
                foreach (int value in buffers[h].DenseValues()) if (value != 0) dense[h].Add(value);
            }
            int d = 0;
            bool click = false, cart = false, conversion = false;
            day?.Invoke(ref d);
            if (labels != null && single is { } slot)
            {
                bool value = false;
                labels[0](ref value);
                click = slot != ImpressionLabel.Click || value;
                if (labels.Length > 1) labels[1](ref click); // the Click column of a cart or conversion model's rows
                cart = slot == ImpressionLabel.Cart && value;
                conversion = slot == ImpressionLabel.Conversion && value;
            }
            else if (labels != null)
            {
                labels[0](ref click);
                labels[1](ref cart);
                labels[2](ref conversion);
            }
            if (dense[1].Count != dense[0].Count || dense[2].Count != dense[0].Count)
                throw new DataFormatException("input data view", row, names.HistoryShopIds,
                    $"{names.HistoryItemIds}, {names.HistoryShopIds} and {names.HistoryCategoryIds} hold {dense[0].Count}, {dense[1].Count} and {dense[2].Count} non-padding ids; they must be aligned");
            new ImpressionRowValidator("input data view", row).Check(0, d, id[0], id[1], id[2], id[3],
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[0]), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[1]),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[2]), click, cart, conversion);
            batch.Add(d, id[0], id[1], id[2], id[3],
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[0]),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[1]),
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense[2]),
                click, cart, conversion);
            if (batch.Count == blockSize)
            {
                yield return batch;
                batch = new ImpressionBatch(blockSize);
            }
        }
        if (batch.Count > 0) yield return batch;
    }
}
