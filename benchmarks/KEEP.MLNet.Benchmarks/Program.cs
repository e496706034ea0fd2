using KEEP.MLNet.Benchmarks;

// Timed harnesses: `dotnet run -c Release --project benchmarks/KEEP.MLNet.Benchmarks -- data [preset]`.
// Each prints one line per measurement; docs/performance.md records the numbers measured on the reference machine.
var suites = new Dictionary<string, Action<string[]>>(StringComparer.OrdinalIgnoreCase)
{
    ["data"] = DataBenchmarks.Run,
    ["knowledge"] = KnowledgeBenchmarks.Run,
    ["pretrain-ratio"] = PretrainingRatioBenchmarks.Run,
    ["embedding-quality"] = EmbeddingUpdateBenchmarks.Quality,
    ["embedding-vocabulary"] = EmbeddingUpdateBenchmarks.Vocabulary,
    ["evaluation"] = EvaluationBenchmarks.Run,
    ["downstream"] = DownstreamBenchmarks.Run,
    ["serving"] = ServingBenchmarks.Run,
    ["serving-read"] = ServingBenchmarks.Read,
    ["retrieval"] = RetrievalBenchmarks.Run,
    ["concurrency"] = ConcurrencyBenchmarks.Run,
    ["world-rates"] = WorldRates.Run,
    ["step-profile"] = StepProfile.Run,
    ["tensor-ops"] = GatherOps.Run,
    ["serving-host"] = ServingHostBenchmarks.Run,
};
if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: KEEP.MLNet.Benchmarks <{string.Join('|', suites.Keys)}> [options]");
    return 1;
}
suite(args[1..]);
return 0;
