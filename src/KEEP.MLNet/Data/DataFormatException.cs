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

    private static string Compose(string file, long? line, string? column, string reason)
    {
        string where = file;
        if (line is { } l) where += $", line {l}";
        if (column is { } c) where += $", column '{c}'";
        return $"{where}: {reason}";
    }
}
