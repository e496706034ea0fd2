using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Writes chosen columns of a data view to Parquet: Int32 columns (ids), Single columns (scores) and
/// float-vector columns (knowledge) as lists of float. Streams in row groups; written atomically.
/// </summary>
public static class ColumnFileWriter
{
    /// <summary>Writes the columns; returns the number of rows.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="intColumns">Int32 columns, e.g. Day, UserId, ItemId.</param>
    /// <param name="floatColumns">Single columns, e.g. Score, Probability.</param>
    /// <param name="vectorColumns">Float-vector columns, e.g. K_u, K_i, K_ui.</param>
    /// <param name="path">The Parquet file to write.</param>
    /// <param name="rowGroupSize">Rows per row group.</param>
    /// <param name="progress">Rows written so far.</param>
    public static long Write(IDataView data, IReadOnlyList<string> intColumns, IReadOnlyList<string> floatColumns, IReadOnlyList<string> vectorColumns,
        string path, int rowGroupSize = 16_384, IProgress<RowProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ints = new Columns<int>(intColumns.Select(n => new DataField<int>(n)).ToArray(), rowGroupSize);
        var floats = new Columns<float>(floatColumns.Select(n => new DataField<float>(n)).ToArray(), rowGroupSize);
        var vectors = vectorColumns.Select(n => new ListField(n, new DataField<float>("element"))).ToArray();
        var schema = new ParquetSchema([.. ints.Fields, .. floats.Fields, .. vectors]);
        using var file = new AtomicFile(path);
        var writer = ParquetWriter.CreateAsync(schema, file.Stream).GetAwaiter().GetResult();
        long rows = 0;
        long total = data.GetRowCount() ?? 0;
        try
        {
            using var cursor = data.GetRowCursor(intColumns.Concat(floatColumns).Concat(vectorColumns).Select(n => data.Schema[n]));
            var intGetters = intColumns.Select(n => cursor.GetGetter<int>(data.Schema[n])).ToArray();
            var floatGetters = floatColumns.Select(n => cursor.GetGetter<float>(data.Schema[n])).ToArray();
            var vectorGetters = vectorColumns.Select(n => cursor.GetGetter<VBuffer<float>>(data.Schema[n])).ToArray();
            var vectorValues = vectorColumns.Select(_ => new List<float>()).ToArray();
            var vectorLengths = vectorColumns.Select(_ => new List<int>(rowGroupSize)).ToArray();
            var buffer = default(VBuffer<float>);
            int pending = 0;
            while (cursor.MoveNext())
            {
                ints.Read(intGetters);
                floats.Read(floatGetters);
                for (int c = 0; c < vectorGetters.Length; c++)
                {
                    vectorGetters[c](ref buffer);
                    int before = vectorValues[c].Count;
                    vectorValues[c].AddRange(buffer.DenseValues());
                    vectorLengths[c].Add(vectorValues[c].Count - before);
                }
                rows++;
                if (++pending == rowGroupSize)
                {
                    Flush(writer, ints, floats, vectors, vectorValues, vectorLengths);
                    pending = 0;
                    progress?.Report(new RowProgress(rows, Math.Max(total, rows)));
                }
            }
            if (pending > 0) Flush(writer, ints, floats, vectors, vectorValues, vectorLengths);
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        file.Commit();
        progress?.Report(new RowProgress(rows, rows));
        return rows;
    }

    private static void Flush(ParquetWriter writer, Columns<int> ints, Columns<float> floats, ListField[] vectors, List<float>[] vectorValues, List<int>[] vectorLengths)
    {
        using var group = writer.CreateRowGroup();
        ints.Write(group);
        floats.Write(group);
        for (int c = 0; c < vectors.Length; c++)
        {
            var offsets = new int[vectorLengths[c].Count + 1];
            for (int r = 0; r < vectorLengths[c].Count; r++) offsets[r + 1] = offsets[r] + vectorLengths[c][r];
            var (definition, repetition) = ListLevels.Of(offsets);
            group.WriteAllPartsAsync<float>((DataField)vectors[c].Item, vectorValues[c].ToArray(), (ReadOnlyMemory<int>)definition, (ReadOnlyMemory<int>)repetition, default).GetAwaiter().GetResult();
            vectorValues[c].Clear();
            vectorLengths[c].Clear();
        }
        group.CompleteValidate();
    }

    /// <summary>Buffered values of scalar columns of one type.</summary>
    private sealed class Columns<T>(DataField<T>[] fields, int capacity) where T : struct
    {
        private readonly List<T>[] _values = [.. fields.Select(_ => new List<T>(capacity))];
        private T _value;

        public DataField<T>[] Fields => fields;

        public void Read(ValueGetter<T>[] getters)
        {
            for (int c = 0; c < getters.Length; c++)
            {
                getters[c](ref _value);
                _values[c].Add(_value);
            }
        }

        public void Write(ParquetRowGroupWriter group)
        {
            for (int c = 0; c < fields.Length; c++)
            {
                group.WriteAsync<T>(fields[c], _values[c].ToArray()).GetAwaiter().GetResult();
                _values[c].Clear();
            }
        }
    }
}
