using KEEP.MLNet.Data.Formats;

namespace KEEP.MLNet.Data.Import;

/// <summary>Options of <see cref="TaobaoUserBehaviorImporter"/>.</summary>
public sealed record TaobaoUserBehaviorOptions : ImportOptions
{
    /// <summary>Day 0 of the output (the dataset starts 2017-11-25, China time).</summary>
    public DateTimeOffset Origin { get; init; } = new(2017, 11, 25, 0, 0, 0, TimeSpan.FromHours(8));
    /// <summary>Days kept from <see cref="Origin"/>; events outside are skipped and counted.</summary>
    public int Days { get; init; } = 9;
}

/// <summary>
/// Imports Taobao <c>UserBehavior.csv</c> (<c>user_id,item_id,category_id,behavior_type,timestamp</c>, no
/// header; behaviour <c>pv</c>, <c>cart</c>, <c>fav</c> or <c>buy</c>) into the impression schema:
/// every <c>pv</c> becomes a clicked impression whose Cart/Conversion labels say whether the user carted
/// or bought that item within <see cref="ImportOptions.LabelWindow"/>, followed by
/// <see cref="ImportOptions.NegativesPerPositive"/> sampled unclicked impressions. The file has no seller
/// field, so ShopId is the category id. The log may be in any order; output is ordered by day.
/// </summary>
public static class TaobaoUserBehaviorImporter
{
    private static readonly string[] Columns = ["user_id", "item_id", "category_id", "behavior_type", "timestamp"];

    /// <summary>Imports <paramref name="input"/> into the impression file <paramref name="output"/> (.parquet or .csv).</summary>
    public static ImportReport Import(string input, string output, TaobaoUserBehaviorOptions? options = null, IProgress<RowProgress>? progress = null)
    {
        options ??= new TaobaoUserBehaviorOptions();
        var report = new ImportReport();
        var reader = new LogCsvReader(input, Columns);
        ImportPipeline.Run(options, report, options.Origin, new FileInfo(input).Length, output,
            parse: (spill, timeline) =>
            {
                foreach (var line in reader.Lines())
                {
                    report.LinesRead++;
                    var kind = line.Behaviour(3);
                    int user = line.PositiveId(0), item = line.PositiveId(1), category = line.PositiveId(2);
                    long time = line.Long(4);
                    long day = timeline.DayOf(time);
                    if (day < 0 || day >= options.Days) { report.Skip($"timestamp outside the {options.Days} days from {options.Origin:yyyy-MM-dd}"); continue; }
                    if (kind == RawEventKind.Favourite) { report.Skip("fav events (no task uses them)"); continue; }
                    spill.Add(new RawEvent { User = user, Time = time, Item = item, Shop = category, Category = category, Kind = kind });
                }
            },
            openOutputs: temp => new TimelineOutputs(new DayOrderedWriter(output, Path.Combine(temp, "views")), null, null, options.Days),
            files: [(output, o => o.Views)],
            progress);
        return report;
    }
}
