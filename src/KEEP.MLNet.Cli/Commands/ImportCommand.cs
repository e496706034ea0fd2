using System.CommandLine;
using System.Text.Json;
using KEEP.MLNet.Cli.Rendering;
using KEEP.MLNet.Data;
using KEEP.MLNet.Data.Import;
using Spectre.Console;

namespace KEEP.MLNet.Cli.Commands;

/// <summary><c>keep import</c>: converts public log formats to the impression schema.</summary>
internal static class ImportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var command = new Command("import", "Convert public CTR datasets that you downloaded to KEEP's impression files.\n\nExamples:\n  keep import userbehavior --input UserBehavior.csv --out taobao.parquet\n  keep import display-ads --raw-sample raw_sample.csv --ad-feature ad_feature.csv --behavior-log behavior_log.csv --out taobao-ads");
        command.Subcommands.Add(UserBehavior(console));
        command.Subcommands.Add(DisplayAds(console));
        return command;
    }

    private static Option<FileInfo> InputFile(string name, string description)
        => new(name) { Description = description, Required = true };

    private static Option<int> Negatives() => new("--negatives")
    {
        Description = "Unclicked impressions sampled per view (the logs record only positive behaviour).",
        DefaultValueFactory = _ => 1,
    };

    private static Command UserBehavior(IAnsiConsole console)
    {
        var input = InputFile("--input", "Taobao UserBehavior.csv (user_id,item_id,category_id,behavior_type,timestamp).");
        var output = new Option<FileInfo>("--out", "-o") { Description = "Impression file to write (.parquet or .csv).", Required = true };
        var negatives = Negatives();
        var quiet = new OutputArguments();
        var command = new Command("userbehavior", "Import Taobao UserBehavior.csv: views become clicked impressions labelled by later carts and purchases, plus sampled negatives.\n\nExample:\n  keep import userbehavior --input UserBehavior.csv --out taobao.parquet --negatives 2");
        foreach (var option in new Option[] { input, output, negatives }) command.Options.Add(option);
        quiet.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var options = new TaobaoUserBehaviorOptions { NegativesPerPositive = result.GetValue(negatives) };
            var report = Run(console, result, quiet, progress =>
                TaobaoUserBehaviorImporter.Import(result.GetValue(input)!.FullName, result.GetValue(output)!.FullName, options, progress));
            Print(console, result, quiet, report);
            return KeepCli.Ok;
        }));
        return command;
    }

    private static Command DisplayAds(IAnsiConsole console)
    {
        var samples = InputFile("--raw-sample", "raw_sample.csv (user,time_stamp,adgroup_id,pid,nonclk,clk).");
        var ads = InputFile("--ad-feature", "ad_feature.csv (adgroup_id,cate_id,campaign_id,customer,brand,price).");
        var log = InputFile("--behavior-log", "behavior_log.csv (user,time_stamp,btag,cate,brand).");
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for super.parquet, sub_train.parquet and sub_test.parquet.", Required = true };
        var negatives = Negatives();
        var quiet = new OutputArguments();
        var command = new Command("display-ads", "Import the Taobao display-ads dataset as a super-domain (behaviour log) and a sub-domain (ad impressions).\n\nExample:\n  keep import display-ads --raw-sample raw_sample.csv --ad-feature ad_feature.csv --behavior-log behavior_log.csv --out taobao-ads");
        foreach (var option in new Option[] { samples, ads, log, output, negatives }) command.Options.Add(option);
        quiet.AddTo(command);
        command.SetAction(result => KeepCli.Guard(console, () =>
        {
            var options = new TaobaoDisplayAdsOptions { NegativesPerPositive = result.GetValue(negatives) };
            var outputs = DisplayAdsOutputs.In(result.GetValue(output)!.FullName);
            var report = Run(console, result, quiet, progress => TaobaoDisplayAdsImporter.Import(
                result.GetValue(samples)!.FullName, result.GetValue(ads)!.FullName, result.GetValue(log)!.FullName, outputs, options, progress));
            Print(console, result, quiet, report);
            return KeepCli.Ok;
        }));
        return command;
    }

    private static ImportReport Run(IAnsiConsole console, ParseResult result, OutputArguments output, Func<IProgress<RowProgress>, ImportReport> import)
        => ProgressDisplay.Run(console, result.GetValue(output.Quiet) || result.GetValue(output.Json), "Importing",
            report => import(new ProgressDisplay.Reporter(report)));

    private static void Print(IAnsiConsole console, ParseResult result, OutputArguments output, ImportReport report)
    {
        if (result.GetValue(output.Json))
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("output").AddColumn(new TableColumn("rows").RightAligned());
        foreach (var (file, rows) in report.RowsWritten) table.AddRow(Markup.Escape(file), rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        console.MarkupLineInterpolated($"{report.LinesRead:N0} lines read; {report.Positives:N0} clicked rows, {report.SampledNegatives:N0} sampled negatives.");
        foreach (var (reason, count) in report.Skipped) console.MarkupLineInterpolated($"[yellow]skipped[/] {count:N0}: {reason}");
    }
}
