namespace KEEP.MLNet.Data;

/// <summary>
/// Input data that cannot be used as it is. The message names the file and, where they are known, the line
/// (1-based, counting the header) and the column, so that a user can open the file at the spot.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message is composed from the location and the reason.</summary>
    public DataFormatException(string file, long? line, string? column, string reason, Exception? inner = null)
        : base(Compose(file, line, column, reason), inner)
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file that holds the bad input.</summary>
    public string File { get; }

    /// <summary>The 1-based line (text formats) or row (Parquet), when known.</summary>
    public long? Line { get; }

    /// <summary>The column, when known.</summary>
    public string? Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>
    /// The data error behind <paramref name="exception"/>, however deep: ML.NET runs a data view's cursor on worker
    /// threads when a pipeline consumes it in parallel and rethrows what it threw wrapped ("Splitter/consolidator
    /// worker encountered exception…"), so a bad row read inside <c>Fit</c>, <c>Transform</c> or an evaluation reaches
    /// the caller as an <see cref="InvalidOperationException"/> (or an <see cref="AggregateException"/>) with this inside.
    /// </summary>
    /// <returns>The first <see cref="DataFormatException"/> in the chain of inner exceptions; null when there is none.</returns>
    public static DataFormatException? FindIn(Exception? exception)
    {
        for (var e = exception; e != null; e = e.InnerException)
        {
            if (e is DataFormatException data) return data;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (FindIn(inner) is { } found) return found;
        }
        return null;
    }

    private static string Compose(string file, long? line, string? column, string reason)
    {
        string where = file;
        if (line is { } l) where += $", line {l}";
        if (column is { } c) where += $", column '{c}'";
        return $"{where}: {reason}";
    }
}
