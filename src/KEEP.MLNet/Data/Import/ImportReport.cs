namespace KEEP.MLNet.Data.Import;

/// <summary>What an import read and wrote, and every input line it did not use, counted by reason.</summary>
public sealed class ImportReport
{
    private readonly SortedDictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _rows = new(StringComparer.Ordinal);

    /// <summary>Input lines read, over all files.</summary>
    public long LinesRead { get; internal set; }

    /// <summary>Rows written per output file.</summary>
    public IReadOnlyDictionary<string, long> RowsWritten => _rows;

    /// <summary>Input lines not turned into rows, by reason.</summary>
    public IReadOnlyDictionary<string, long> Skipped => _skipped;

    /// <summary>Clicked (positive) impressions written.</summary>
    public long Positives { get; internal set; }

    /// <summary>Sampled negative impressions written.</summary>
    public long SampledNegatives { get; internal set; }

    internal void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;

    internal void Wrote(string file, long rows) => _rows[file] = rows;
}
