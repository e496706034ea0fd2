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
        var (definition, repetition) = ListLevels.Of(batch.HistoryOffsets);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(0), batch.HistoryItemIds.ToArray(), (ReadOnlyMemory<int>)definition, (ReadOnlyMemory<int>)repetition, default);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(1), batch.HistoryShopIds.ToArray(), (ReadOnlyMemory<int>)definition, (ReadOnlyMemory<int>)repetition, default);
        await group.WriteAllPartsAsync<int>(ParquetImpressionSchema.HistoryElement(2), batch.HistoryCategoryIds.ToArray(), (ReadOnlyMemory<int>)definition, (ReadOnlyMemory<int>)repetition, default);
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[0], batch.Click.ToArray());
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[1], batch.Cart.ToArray());
        await group.WriteAsync<bool>(ParquetImpressionSchema.Labels[2], batch.Conversion.ToArray());
        group.CompleteValidate();
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
