namespace KEEP.MLNet.Data.Formats;

/// <summary>
/// An output file that appears under its final name only once it is complete: writes go to a temporary
/// file beside the target, <see cref="Commit"/> renames it, and disposing without a commit deletes it, so a
/// failed or interrupted run never leaves a partial file behind.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileStream> Uncommitted = new(StringComparer.Ordinal);
    private bool _committed;

    /// <summary>
    /// Deletes the temporary file of every atomic file of this process that is neither committed nor disposed: for a
    /// process that is being stopped (SIGTERM, Ctrl+C) before its <c>using</c> blocks can run. Returns how many it deleted.
    /// </summary>
    public static int DeleteUncommitted()
    {
        int deleted = 0;
        foreach (var (temp, stream) in Uncommitted)
        {
            if (!Uncommitted.TryRemove(temp, out _)) continue;
            try
            {
                stream.Dispose();
                File.Delete(temp);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
        }
        return deleted;
    }

    /// <summary>Opens a temporary file beside <paramref name="path"/>; the folder is created if needed.</summary>
    public AtomicFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        string? folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        TempPath = $"{Path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        Stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        Uncommitted[TempPath] = Stream;
    }

    /// <summary>The final path.</summary>
    public string Path { get; }

    /// <summary>The temporary path being written.</summary>
    public string TempPath { get; }

    /// <summary>The stream to write to.</summary>
    public FileStream Stream { get; }

    /// <summary>Flushes, closes and moves the file to its final name, replacing an older file.</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(TempPath, Path, overwrite: true);
        _committed = true;
        Uncommitted.TryRemove(TempPath, out _);
    }

    /// <summary>Deletes the temporary file unless <see cref="Commit"/> ran.</summary>
    public void Dispose()
    {
        if (_committed) return;
        Uncommitted.TryRemove(TempPath, out _);
        Stream.Dispose();
        try { File.Delete(TempPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
