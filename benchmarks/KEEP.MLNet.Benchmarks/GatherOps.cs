using System.Diagnostics;
using static TorchSharp.torch;

namespace KEEP.MLNet.Benchmarks;

/// <summary>
/// Single libtorch operations at the attention's shapes on a block of the shared-click world (69k real slots of
/// 144 floats, 2,000 rows, 4,530 distinct behaviours): gathers, scatters, elementwise, one GEMM, medians of 13.
/// Each allocates a fresh output, so it shows what the native allocator costs: run it once plainly and once with
/// <c>MALLOC_TOP_PAD_=268435456</c> (glibc keeps freed memory instead of returning it to the kernel).
/// Usage: <c>tensor-ops</c>.
/// </summary>
internal static class GatherOps
{
    private static (string, Func<Tensor>) Op(string name, Func<Tensor> f) => (name, f);

    public static void Run(string[] args)
    {
        set_num_threads(Environment.ProcessorCount);
        int n = 69_000, b = 2000, u = 4530, d = 144;
        var rng = new Random(1);
        var rowsArr = Enumerable.Range(0, n).Select(i => (long)(i * (long)b / n)).ToArray();
        var behArr = Enumerable.Range(0, n).Select(_ => (long)rng.Next(u)).ToArray();
        var rows = tensor(rowsArr); var beh = tensor(behArr);
        var src = randn(n, d); var q = randn(b, d); var k = randn(u, d);
        var counts = tensor(Enumerable.Range(0, b).Select(r => (long)rowsArr.Count(x => x == r)).ToArray());
        var ops = new List<(string, Func<Tensor>)>
        {
            Op("index_select q rows N x144", () => q.index_select(0, rows)),
            Op("index_select k beh N x144", () => k.index_select(0, beh)),
            Op("index_add into B (sorted rows)", () => zeros(b, d).index_add_(0, rows, src, 1.0)),
            Op("index_add into U (random)", () => zeros(u, d).index_add_(0, beh, src, 1.0)),
            Op("index_put accumulate into U", () => zeros(u, d).index_put_(src, [beh], accumulate: true)),
            Op("scatter_add into U", () => zeros(u, d).scatter_add_(0, beh.unsqueeze(1).expand(n, d), src)),
            Op("mul N x144", () => src.mul(src)),
            Op("add N x144", () => src.add(src)),
            Op("repeat_interleave q", () => q.repeat_interleave(counts, 0)),
            Op("segment sum via cumsum", () => src.cumsum(0)),
            Op("matmul Nx144 @ 144x80", () => src.matmul(randn(d, 80))),
        };
        var times = ops.Select(_ => new List<double>()).ToArray();
        for (int rep = 0; rep < 15; rep++)
            for (int i = 0; i < ops.Count; i++)
            {
                long s = Stopwatch.GetTimestamp();
                using (var scope = NewDisposeScope()) ops[i].Item2();
                if (rep >= 2) times[i].Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
            }
        for (int i = 0; i < ops.Count; i++) Console.WriteLine($"{ops[i].Item1,-36} {times[i].Order().ElementAt(times[i].Count / 2),7:F2} ms");
    }
}
