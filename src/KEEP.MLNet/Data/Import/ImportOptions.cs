namespace KEEP.MLNet.Data.Import;

/// <summary>Settings shared by the importers of public log formats.</summary>
public record ImportOptions
{
    /// <summary>Maximum behaviour-sequence length kept per row (most recent views).</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>
    /// Unclicked impressions sampled per view, for logs that record only positive behaviour; items are drawn
    /// in proportion to their recent popularity, never the viewed item itself.
    /// </summary>
    public int NegativesPerPositive { get; init; } = 1;
    /// <summary>A cart or purchase of the same item within this time after a view labels that view.</summary>
    public TimeSpan LabelWindow { get; init; } = TimeSpan.FromDays(1);
    /// <summary>Seed of negative sampling.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Temporary bucket files used to regroup the log by user; 0 picks one per 128 MB of input.</summary>
    public int Buckets { get; init; }
    /// <summary>Folder for temporary files; default: beside the output.</summary>
    public string? TempFolder { get; init; }

    internal void Validate()
    {
        if (HistoryLength is < 1 or > 1_000) throw new ArgumentException("HistoryLength must be between 1 and 1000.", nameof(HistoryLength));
        if (NegativesPerPositive is < 0 or > 100) throw new ArgumentException("NegativesPerPositive must be between 0 and 100.", nameof(NegativesPerPositive));
        if (LabelWindow < TimeSpan.Zero) throw new ArgumentException("LabelWindow must not be negative.", nameof(LabelWindow));
        if (Buckets < 0) throw new ArgumentException("Buckets must not be negative.", nameof(Buckets));
    }

    internal int BucketsFor(long inputBytes) => Buckets > 0 ? Buckets : (int)Math.Clamp(inputBytes / (128L << 20) + 1, 1, 4096);
}
