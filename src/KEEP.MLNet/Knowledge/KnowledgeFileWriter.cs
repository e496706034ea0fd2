using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace KEEP.MLNet.Knowledge;

/// <summary>
/// Writes chosen Int32 columns and float-vector (knowledge) columns of a data view to Parquet: ids as
/// Int32, vectors as lists of float. Streams in row groups; written atomically.
/// </summary>
public static class KnowledgeFileWriter
{
    /// <summary>Writes the columns; returns the number of rows.</summary>
    public static long Write(IDataView data, IReadOnlyList<string> idColumns, IReadOnlyList<string> vectorColumns, string path, int rowGroupSize = 16_384, IProgress<Data.RowProgress>? progress = null)
    {
        var ids = idColumns.Select(n => new DataField<int>(n)).ToArray();
        var vectors = vectorColumns.Select(n => new ListField(n, new DataField<float>("element"))).ToArray();
        var schema = new ParquetSchema([.. ids, .. vectors]);
        using var file = new Data.Formats.AtomicFile(path);
        var writer = ParquetWriter.CreateAsync(schema, file.Stream).GetAwaiter().GetResult();
        long rows = 0;
        long total = data.GetRowCount() ?? 0;
        try
        {
            using var cursor = data.GetRowCursor(idColumns.Concat(vectorColumns).Select(n => data.Schema[n]));
            var idGetters = idColumns.Select(n => cursor.GetGetter<int>(data.Schema[n])).ToArray();
            var vectorGetters = vectorColumns.Select(n => cursor.GetGetter<VBuffer<float>>(data.Schema[n])).ToArray();
            var idValues = idColumns.Select(_ => new List<int>(rowGroupSize)).ToArray();
            var vectorValues = vectorColumns.Select(_ => new List<float>()).ToArray();
            var vectorLengths = vectorColumns.Select(_ => new List<int>(rowGroupSize)).ToArray();
            int value = 0;
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                for (int c = 0; c < idGetters.Length; c++) { idGetters[c](ref value); idValues[c].Add(value); }
                for (int c = 0; c < vectorGetters.Length; c++)
                {
                    vectorGetters[c](ref buffer);
                    int before = vectorValues[c].Count;
                    vectorValues[c].AddRange(buffer.DenseValues());
                    vectorLengths[c].Add(vectorValues[c].Count - before);
                }
                if (++rows % rowGroupSize == 0)
                {
                    Flush(writer, ids, vectors, idValues, vectorValues, vectorLengths);
                    progress?.Report(new Data.RowProgress(rows, Math.Max(total, rows)));
                }
            }
            if (idValues.Length > 0 ? idValues[0].Count > 0 : vectorLengths[0].Count > 0) Flush(writer, ids, vectors, idValues, vectorValues, vectorLengths);
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        file.Commit();
        progress?.Report(new Data.RowProgress(rows, rows));
        return rows;
    }

    private static void Flush(ParquetWriter writer, DataField<int>[] ids, ListField[] vectors, List<int>[] idValues, List<float>[] vectorValues, List<int>[] vectorLengths)
    {
        using var group = writer.CreateRowGroup();
        for (int c = 0; c < ids.Length; c++)
        {
            group.WriteAsync<int>(ids[c], idValues[c].ToArray()).GetAwaiter().GetResult();
            idValues[c].Clear();
        }
        for (int c = 0; c < vectors.Length; c++)
        {
            var offsets = new int[vectorLengths[c].Count + 1];
            for (int r = 0; r < vectorLengths[c].Count; r++) offsets[r + 1] = offsets[r] + vectorLengths[c][r];
            var (definition, repetition) = Data.Formats.ListLevels.Of(offsets);
            group.WriteAllPartsAsync<float>((DataField)vectors[c].Item, vectorValues[c].ToArray(), (ReadOnlyMemory<int>)definition, (ReadOnlyMemory<int>)repetition, default).GetAwaiter().GetResult();
            vectorValues[c].Clear();
            vectorLengths[c].Clear();
        }
        group.CompleteValidate();
    }
}
