using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Data.Import;

/// <summary>Options of <see cref="TaobaoDisplayAdsImporter"/>.</summary>
public sealed record TaobaoDisplayAdsOptions : ImportOptions
{
    /// <summary>Day 0: the first day of <c>behavior_log.csv</c> (2017-04-22, China time).</summary>
    public DateTimeOffset Origin { get; init; } = new(2017, 4, 22, 0, 0, 0, TimeSpan.FromHours(8));
    /// <summary>Days kept from <see cref="Origin"/>; events outside are skipped and counted.</summary>
    public int Days { get; init; } = 22;
    /// <summary>Last days of the ad impressions that form the sub-domain test set.</summary>
    public int TestDays { get; init; } = 1;
}

/// <summary>The files <see cref="TaobaoDisplayAdsImporter"/> writes, in the simulator's layout.</summary>
public sealed record DisplayAdsOutputs(string Super, string SubTrain, string SubTest)
{
    /// <summary><c>super</c>, <c>sub_train</c> and <c>sub_test</c> Parquet files in <paramref name="directory"/>.</summary>
    public static DisplayAdsOutputs In(string directory)
        => new(Path.Combine(directory, "super.parquet"), Path.Combine(directory, "sub_train.parquet"), Path.Combine(directory, "sub_test.parquet"));
}

/// <summary>
/// Imports the Taobao display-ads dataset (Ali_Display_Ad_Click) as a super-domain / sub-domain pair:
/// <list type="bullet">
/// <item>sub-domain: <c>raw_sample.csv</c> (<c>user,time_stamp,adgroup_id,pid,nonclk,clk</c>) joined with
/// <c>ad_feature.csv</c> (<c>adgroup_id,cate_id,campaign_id,customer,brand,price</c>): ItemId = adgroup,
/// ShopId = brand, CategoryId = cate_id, Click = clk (cart and conversion are not observed: false);</item>
/// <item>super-domain: <c>behavior_log.csv</c> (<c>user,time_stamp,btag,cate,brand</c>): each <c>pv</c> is a
/// clicked impression of the brand-level item <see cref="BrandItemOffset"/> + brand (the log has no item
/// ids), labelled by <c>cart</c>/<c>buy</c> of the same brand, plus sampled negatives.</item>
/// </list>
/// Behaviour sequences of both domains are the user's earlier <c>pv</c> behaviours (brand items), so the
/// two domains share users, shops (brands) and categories. A missing brand becomes <see cref="UnknownBrand"/>.
/// </summary>
public static class TaobaoDisplayAdsImporter
{
    /// <summary>Offset that keeps brand-level behaviour items apart from adgroup ids.</summary>
    public const int BrandItemOffset = 1_000_000_000;
    /// <summary>Shop id used where the brand is NULL.</summary>
    public const int UnknownBrand = int.MaxValue - 1;

    private static readonly string[] SampleColumns = ["user", "time_stamp", "adgroup_id", "pid", "nonclk", "clk"];
    private static readonly string[] AdColumns = ["adgroup_id", "cate_id", "campaign_id", "customer", "brand", "price"];
    private static readonly string[] BehaviourColumns = ["user", "time_stamp", "btag", "cate", "brand"];

    /// <summary>Imports the three files into <paramref name="outputs"/>.</summary>
    public static ImportReport Import(string rawSample, string adFeature, string behaviorLog, DisplayAdsOutputs outputs,
        TaobaoDisplayAdsOptions? options = null, IProgress<RowProgress>? progress = null)
    {
        options ??= new TaobaoDisplayAdsOptions();
        if (options.TestDays < 1 || options.TestDays >= options.Days) throw new ArgumentException("TestDays must be at least 1 and less than Days.", nameof(options));
        var report = new ImportReport();
        var ads = ReadAds(adFeature, report);
        var samples = new LogCsvReader(rawSample, SampleColumns);
        var behaviours = new LogCsvReader(behaviorLog, BehaviourColumns);
        int firstTestDay = options.Days - options.TestDays;
        long bytes = new FileInfo(rawSample).Length + new FileInfo(behaviorLog).Length;

        ImportPipeline.Run(options, report, options.Origin, bytes, outputs.Super,
            parse: (spill, timeline) =>
            {
                foreach (var line in samples.Lines())
                {
                    report.LinesRead++;
                    int user = line.PositiveId(0);
                    long time = line.Long(1);
                    int adgroup = line.PositiveId(2);
                    bool click = line.Long(5, 0, 1) == 1;
                    if (!InRange(timeline, time, options, report)) continue;
                    if (!ads.TryGetValue(adgroup, out var ad)) { report.Skip("ad impressions whose adgroup is not in ad_feature.csv"); continue; }
                    spill.Add(new RawEvent { User = user, Time = time, Item = adgroup, Shop = ad.Brand, Category = ad.Category, Kind = RawEventKind.AdImpression, Clicked = click });
                }
                foreach (var line in behaviours.Lines())
                {
                    report.LinesRead++;
                    int user = line.PositiveId(0);
                    long time = line.Long(1);
                    var kind = line.Behaviour(2);
                    int category = line.PositiveId(3);
                    int brand = Brand(line, 4);
                    if (!InRange(timeline, time, options, report)) continue;
                    if (kind == RawEventKind.Favourite) { report.Skip("fav behaviours (no task uses them)"); continue; }
                    int item = brand == UnknownBrand ? BrandItemOffset : BrandItemOffset + brand;
                    spill.Add(new RawEvent { User = user, Time = time, Item = item, Shop = brand, Category = category, Kind = kind });
                }
            },
            openOutputs: temp => new TimelineOutputs(
                new DayOrderedWriter(outputs.Super, Path.Combine(temp, "super")),
                new DayOrderedWriter(outputs.SubTrain, Path.Combine(temp, "sub-train")),
                new DayOrderedWriter(outputs.SubTest, Path.Combine(temp, "sub-test")),
                firstTestDay),
            files: [(outputs.Super, o => o.Views), (outputs.SubTrain, o => o.AdTrain), (outputs.SubTest, o => o.AdTest)],
            progress);
        return report;
    }

    private static Dictionary<int, (int Category, int Brand)> ReadAds(string path, ImportReport report)
    {
        var ads = new Dictionary<int, (int, int)>();
        var reader = new LogCsvReader(path, AdColumns);
        foreach (var line in reader.Lines())
        {
            report.LinesRead++;
            int adgroup = line.PositiveId(0);
            if (!ads.TryAdd(adgroup, (line.PositiveId(1), Brand(line, 4))))
                throw line.Error(0, $"adgroup {adgroup} appears twice");
        }
        return ads;
    }

    private static bool InRange(TimelineBuilder timeline, long time, TaobaoDisplayAdsOptions options, ImportReport report)
    {
        long day = timeline.DayOf(time);
        if (day >= 0 && day < options.Days) return true;
        report.Skip($"timestamp outside the {options.Days} days from {options.Origin:yyyy-MM-dd}");
        return false;
    }

    private static int Brand(LogCsvReader line, int column)
        => line.OptionalId(column) is { } brand && brand >= 1 && brand < BrandItemOffset ? brand
            : line.OptionalId(column) is null ? UnknownBrand
            : throw line.Error(column, $"brand {line.Text(column)} is out of range [1, {BrandItemOffset - 1}]");

}
