using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KEEP.MLNet.Data.Simulation;

/// <summary>File formats <see cref="DatasetGenerator"/> can write.</summary>
[Flags]
public enum DatasetFormat
{
    /// <summary>Parquet files (<c>.parquet</c>).</summary>
    Parquet = 1,
    /// <summary>CSV files (<c>.csv</c>), histories as space-separated ids.</summary>
    Csv = 2,
}

/// <summary>What <see cref="DatasetGenerator.Generate"/> produced.</summary>
public sealed record GeneratedDataset
{
    /// <summary>The output folder.</summary>
    public required string Directory { get; init; }
    /// <summary>Files written, by split (first format's path).</summary>
    public required IReadOnlyDictionary<DatasetSplit, string> Files { get; init; }
    /// <summary>Statistics of each split.</summary>
    public required IReadOnlyList<DomainSummary> Summaries { get; init; }
    /// <summary>Share of sub-domain training users who also appear in the super-domain.</summary>
    public double SubUsersSeenInSuper { get; init; }
    /// <summary>Median super-domain impressions of the sparse sub-domain users.</summary>
    public int MedianSuperImpressionsOfSparseSubUsers { get; init; }
    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Rows written per second.</summary>
    public double RowsPerSecond { get; init; }
}

/// <summary>
/// Generates a simulated world to files: <c>super</c>, <c>sub_train</c> and <c>sub_test</c> (Parquet and/or
/// CSV) and <c>world.json</c> with the options, the behaviour model and the statistics. Simulation runs on
/// one thread and encoding on another; the output is identical for the same options.
/// </summary>
public static class DatasetGenerator
{
    /// <summary>File stem of each split.</summary>
    public static string FileStem(DatasetSplit split) => split switch
    {
        DatasetSplit.Super => "super",
        DatasetSplit.SubTrain => "sub_train",
        _ => "sub_test",
    };

    /// <summary>Generates the world described by <paramref name="options"/> into <paramref name="directory"/>.</summary>
    public static GeneratedDataset Generate(WorldOptions options, string directory, DatasetFormat format = DatasetFormat.Parquet,
        IProgress<RowProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        if (format == 0) throw new ArgumentException("Choose at least one format.", nameof(format));
        Directory.CreateDirectory(directory);
        var clock = Stopwatch.StartNew();
        var world = new World(options);
        var splits = Enum.GetValues<DatasetSplit>();
        var sinks = splits.ToDictionary(s => s, s => new SplitSink(directory, FileStem(s), format));
        long expected = options.SuperImpressions + (long)(options.SubImpressions * (options.TrainDays + options.TestTrafficScale * options.TestDays) / options.Days);
        long written = 0;
        try
        {
            using var queue = new BlockingCollection<SimulatedBatch>(boundedCapacity: 4);
            var writer = Task.Run(() =>
            {
                foreach (var block in queue.GetConsumingEnumerable(cancellation))
                {
                    sinks[block.Split].Write(block.Batch);
                    written += block.Batch.Count;
                    progress?.Report(new RowProgress(written, expected));
                }
            }, cancellation);
            try
            {
                foreach (var block in new Simulator(world).Run())
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (writer.IsFaulted) break;
                    queue.Add(block, cancellation);
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
            writer.GetAwaiter().GetResult();
            foreach (var sink in sinks.Values) sink.Complete();
        }
        finally
        {
            foreach (var sink in sinks.Values) sink.Dispose();
        }

        var summaries = splits.Select(s => sinks[s].Statistics.Summarize(FileStem(s), options.SparseUserThreshold)).ToList();
        var superUsers = sinks[DatasetSplit.Super].Statistics.ImpressionsPerUser;
        var subUsers = sinks[DatasetSplit.SubTrain].Statistics.ImpressionsPerUser;
        var sparseSuperCounts = subUsers.Where(p => p.Value <= options.SparseUserThreshold)
            .Select(p => superUsers.GetValueOrDefault(p.Key)).Order().ToArray();
        clock.Stop();
        var result = new GeneratedDataset
        {
            Directory = Path.GetFullPath(directory),
            Files = splits.ToDictionary(s => s, s => sinks[s].PrimaryPath),
            Summaries = summaries,
            SubUsersSeenInSuper = subUsers.Count == 0 ? 0 : (double)subUsers.Keys.Count(superUsers.ContainsKey) / subUsers.Count,
            MedianSuperImpressionsOfSparseSubUsers = sparseSuperCounts.Length == 0 ? 0 : sparseSuperCounts[sparseSuperCounts.Length / 2],
            Elapsed = clock.Elapsed,
            RowsPerSecond = summaries.Sum(s => s.Rows) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
        };
        WorldDescription.Write(Path.Combine(directory, "world.json"), options, result);
        return result;
    }

    /// <summary>The writers and statistics of one split.</summary>
    private sealed class SplitSink : IDisposable
    {
        private readonly Formats.ParquetImpressionWriter? _parquet;
        private readonly Formats.CsvImpressionWriter? _csv;

        public SplitSink(string directory, string stem, DatasetFormat format)
        {
            if (format.HasFlag(DatasetFormat.Parquet)) _parquet = new Formats.ParquetImpressionWriter(Path.Combine(directory, stem + ".parquet"));
            if (format.HasFlag(DatasetFormat.Csv)) _csv = new Formats.CsvImpressionWriter(Path.Combine(directory, stem + ".csv"));
            PrimaryPath = Path.GetFullPath(Path.Combine(directory, stem + (_parquet != null ? ".parquet" : ".csv")));
        }

        public string PrimaryPath { get; }

        public DomainStatistics Statistics { get; } = new();

        public void Write(ImpressionBatch batch)
        {
            _parquet?.Write(batch);
            _csv?.Write(batch);
            Statistics.Add(batch);
        }

        public void Complete()
        {
            _parquet?.Complete();
            _csv?.Complete();
        }

        public void Dispose()
        {
            _parquet?.Dispose();
            _csv?.Dispose();
        }
    }
}

/// <summary>The <c>world.json</c> written beside generated files: what was generated, and how.</summary>
internal static class WorldDescription
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(string path, WorldOptions options, GeneratedDataset result)
    {
        var description = new
        {
            generator = "KEEP.MLNet simulator",
            options,
            splits = options.HasSubsystems
                ? (object)new
                {
                    super = $"super-domain: every subsystem's traffic on days 0..{options.TrainDays - 1}, except the sub-domain's on its training days"
                        + $" (days 0..{options.FirstSubTrainDay - 1} are the pre-training days)",
                    sub_train = $"sub-domain ({options.Subsystems!.Single(x => x.IsSubDomain).Name}), days {options.FirstSubTrainDay}..{options.TrainDays - 1}",
                    sub_test = $"sub-domain, days {options.TrainDays}..{options.Days - 1}",
                }
                : new
                {
                    super = $"super-domain (the rest of the site), days 0..{options.TrainDays - 1}",
                    sub_train = $"sub-domain, days 0..{options.TrainDays - 1}",
                    sub_test = $"sub-domain, days {options.TrainDays}..{options.Days - 1}",
                },
            behaviour = options.HasSubsystems
                ? (object)new
                {
                    click = "per subsystem s: sigmoid(c_s + tasteWeight_s*<u_t,v>/sqrt(d) + interestWeight_s*<recentInterest,v>/sqrt(d) + userBias + itemQuality + propensity_s[u] + presentation_s[i] - positionDecay_s*ln(1+position))",
                    taste = "u_t = rho*u_(t-1) + sqrt(1-rho^2)*fresh taste (rho = options.tasteDrift)",
                    cart = "only after a click: sigmoid(cart_s + 0.8*<uPurchase,v>/sqrt(d) + 0.5*itemQuality + purchasePropensity)",
                    conversion = "only after a click: sigmoid(conversion_s + 0.6*<uPurchase,v>/sqrt(d) - 0.6*priceSensitivity*price + purchasePropensity + 1.2*carted)",
                    ranker = "each impression shows one of CandidatesPerImpression items drawn from the subsystem's catalogue by its popularity, chosen with probability ~ exp(rankerTasteWeight_s*<u_t,v>/sqrt(d) + rankerInterestWeight_s*interestMatch)",
                    intercepts = "c_s, cart_s and conversion_s calibrated so that each subsystem's click rate and per-click cart and conversion rates are its options'",
                }
                : new
                {
                    click = "sigmoid(ClickIntercept + 0.9*<u,v>/sqrt(d) + 0.6*<recentInterest,v>/sqrt(d) + userBias + itemQuality [+ subDomainBias + subDomainCategoryBias])",
                    cart = "only after a click: sigmoid(CartIntercept + 0.8*<uPurchase,v>/sqrt(d) + 0.5*itemQuality + purchasePropensity)",
                    conversion = "only after a click: sigmoid(ConversionIntercept + 0.6*<uPurchase,v>/sqrt(d) - 0.6*priceSensitivity*price + purchasePropensity + 1.2*carted)",
                    ranker = "each impression shows one of CandidatesPerImpression popularity-sampled items, chosen with probability ~ exp(<u,v>/sqrt(d) + 0.5*interestMatch)",
                    clickIntercept = "calibrated so that the site's click rate is options.targetClickRate",
                    BehaviourModel.SubDomainClickBias,
                    BehaviourModel.CartIntercept,
                    BehaviourModel.ConversionIntercept,
                },
            summaries = result.Summaries,
            result.SubUsersSeenInSuper,
            result.MedianSuperImpressionsOfSparseSubUsers,
        };
        using var file = new Formats.AtomicFile(path);
        JsonSerializer.Serialize(file.Stream, description, Json);
        file.Commit();
    }
}
