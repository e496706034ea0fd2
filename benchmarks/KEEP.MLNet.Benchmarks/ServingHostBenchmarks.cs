using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using KEEP.MLNet.Data;
using KEEP.MLNet.Plugin;
using KEEP.MLNet.Serving;
using KEEP.MLNet.ServingSample;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// The serving sample on loopback: requests/s and p50/p99 latency of single-row <c>POST /predict</c> at 1, 4 and 16
/// clients (clients and host share the machine's cores), against the same model's in-process pool in the same run.
/// Usage: <c>serving-host [seconds per level] [model.zip]</c> (without a zip, a tiny-world KEEP DNN with knowledge is trained).
/// </summary>
internal static class ServingHostBenchmarks
{
    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task RunAsync(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var (zip, inputs) = args.Length > 1 ? (args[1], ConcurrencyBenchmarks.TinyKeepDnn("keep-bench-serving").TestInputs) : ConcurrencyBenchmarks.TinyKeepDnn("keep-bench-serving");
        var requests = inputs.Select(i => new ImpressionRequest
        {
            UserId = i.UserId, ItemId = i.ItemId, ShopId = i.ShopId, CategoryId = i.CategoryId,
            HistoryItemIds = [.. i.HistoryItemIds.Where(v => v > 0)], HistoryShopIds = [.. i.HistoryShopIds.Where(v => v > 0)], HistoryCategoryIds = [.. i.HistoryCategoryIds.Where(v => v > 0)],
        }).ToArray();

        using (var served = ServedModel.Load(zip))
        using (var pool = served.CreatePool<ImpressionInput, KeepDnnOutput>())
        {
            var latencies = Measure(seconds, 1, (_, i) => { pool.Predict(inputs[i % inputs.Length]); return Task.CompletedTask; }).GetAwaiter().GetResult();
            Report("in-process pool, 1 thread", latencies, seconds);
        }

        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        await using var app = ServingApp.Build(builder, new ServingSettings { Model = zip });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        foreach (int clients in new[] { 1, 4, 16 })
        {
            var latencies = await Measure(seconds, clients, async (c, i) =>
            {
                using var response = await client.PostAsJsonAsync("/predict", requests[(i * 16 + c) % requests.Length]);
                response.EnsureSuccessStatusCode();
            });
            Report($"HTTP /predict, {clients} client(s)", latencies, seconds);
        }
    }

    /// <summary>Runs <paramref name="clients"/> loops for a warm-up second and then <paramref name="seconds"/>, returning every measured call's latency in ms.</summary>
    private static async Task<List<double>> Measure(double seconds, int clients, Func<int, int, Task> call)
    {
        var all = new List<double>();
        var warm = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>();
            var clock = new Stopwatch();
            for (int i = 0; ; i++)
            {
                double elapsed = warm.Elapsed.TotalSeconds;
                if (elapsed > seconds + 1) break;
                clock.Restart();
                await call(c, i);
                if (elapsed >= 1) mine.Add(clock.Elapsed.TotalMilliseconds);
            }
            return mine;
        })).ToArray();
        foreach (var list in await Task.WhenAll(tasks)) all.AddRange(list);
        return all;
    }

    private static void Report(string what, List<double> latencies, double seconds)
    {
        latencies.Sort();
        double Quantile(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {latencies.Count / seconds:N0} requests/s, p50 {Quantile(0.5):F2} ms, p99 {Quantile(0.99):F2} ms ({latencies.Count:N0} requests)"));
    }
}
