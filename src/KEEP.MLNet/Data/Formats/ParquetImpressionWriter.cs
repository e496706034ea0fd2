using Parquet;

namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// Writes impressions to a Parquet file, one row group per <see cref="Write"/> call. The file is written
/// under a temporary name and appears under its own only after <see cref="Complete"/>. Output is
/// byte-for-byte deterministic for the same rows.
/// </summary>
public sealed class ParquetImpressionWriter : IDisposable
{
    private readonly AtomicFile _file;
    private readonly ParquetWriter _writer;
    private int[] _definition = [], _repetition = [];
    private bool _completed;

    /// <summary>Starts a file at <paramref name="path"/>.</summary>
    public ParquetImpressionWriter(string path)
    {
        _file = new AtomicFile(path);
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy };
        _writer = ParquetWriter.CreateAsync(ParquetImpressionSchema.Schema, _file.Stream, options).GetAwaiter().GetResult();
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Writes the batch as one row group; an empty batch is ignored.</summary>
    public void Write(ImpressionBatch batch)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (batch.Count == 0) return;
        WriteAsync(batch).GetAwaiter().GetResult();
        RowsWritten += batch.Count;
    }

    private async Task WriteAsync(ImpressionBatch batch)
    {
        using var group = _writer.CreateRowGroup();
        await group.WriteAsync<int>(ParquetImpressionSchema.Day, batch.Day.ToArray());
        await group.WriteAsync<int>(ParquetImpressionSchema.Ids[0], batch.UserId.ToArray());
        await group.WriteAsync<int>(ParquetImpressionSchema.Ids[1], batch.ItemId.ToArray());
        await group.WriteAsync<int>(ParquetImpressionSchema.Ids[2], batch.ShopId.ToArray());
        await group.WriteAsync<int>(ParquetImpressionSchema.Ids[3], batch.CategoryId.ToArray());
        int levels = BuildLevels(batch.HistoryOffsets);
        var definition = new ReadOnlyMemory<int>(_definition, 0, levels);
        var repetition = new ReadOnlyMemory<int>(_repetition, 0, levels);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(0), batch.HistoryItemIds.ToArray(), definition, repetition, default);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(1), batch.HistoryShopIds.ToArray(), definition, repetition, default);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(2), batch.HistoryCategoryIds.ToArray(), definition, repetition, default);
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[0], batch.Click.ToArray());
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[1], batch.Cart.ToArray());
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[2], batch.Conversion.ToArray());
        group.CompleteValidate();
    }

    /// <summary>
    /// Dremel levels of a list column: an empty list is one entry at definition level 1; each element is an
    /// entry at level 2, with repetition level 0 when it starts a row and 1 when it continues one.
    /// </summary>
    private int BuildLevels(ReadOnlySpan<int> offsets)
    {
        int rows = offsets.Length - 1;
        int needed = offsets[rows] + rows;
        if (_definition.Length < needed) { _definition = new int[needed]; _repetition = new int[needed]; }
        int k = 0;
        for (int r = 0; r < rows; r++)
        {
            int length = offsets[r + 1] - offsets[r];
            if (length == 0) { _definition[k] = 1; _repetition[k++] = 0; continue; }
            for (int j = 0; j < length; j++) { _definition[k] = 2; _repetition[k++] = j == 0 ? 0 : 1; }
        }
        return k;
    }

    /// <summary>Finishes the file and moves it to its final name.</summary>
    public void Complete()
    {
        if (_completed) return;
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file.Commit();
        _completed = true;
    }

    /// <summary>Discards the file unless <see cref="Complete"/> ran.</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            try { _writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); } catch (IOException) { } catch (InvalidOperationException) { }
        }
        _file.Dispose();
    }
}
