using System.Diagnostics;
using KEEP.MLNet.Data.Simulation;
using KEEP.MLNet.Knowledge;
using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Tests.Cli;
using static TorchSharp.torch;

namespace KEEP.MLNet.Tests.Training;

/// <summary>
/// <c>mpiexec -n N keep pretrain</c> on loopback (MPICH; <c>.ci/run</c> installs it): N ranks, each training on its
/// 1/N of every block with the embedding tables sharded by row, against the single-process run of the same blocks.
/// </summary>
[TestClass]
public sealed class DistributedPretrainingTests
{
    private static string[] Common(string data) => ["--data", data, "--batch-size", "500", "--seed", "3"];

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void Two_ranks_follow_the_single_process_run_and_one_rank_is_it_bit_for_bit()
    {
        string mpiexec = Mpiexec();
        string folder = TestWorlds.TempFolder("mpi");
        string data = TestWorlds.Tiny.Files[DatasetSplit.Super];
        string single = Path.Combine(folder, "single.zip"), two = Path.Combine(folder, "two.zip"), one = Path.Combine(folder, "one.zip");
        var (code, output) = CliRunner.Run(["pretrain", .. Common(data), "--out", single, "--quiet"]);
        Assert.AreEqual(0, code, output);
        (code, output) = RunRanks(mpiexec, 2, ["pretrain", .. Common(data), "--out", two, "--json"]);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "\"ranks\": 2");
        (code, output) = RunRanks(mpiexec, 1, ["pretrain", .. Common(data), "--out", one, "--quiet"]);
        Assert.AreEqual(0, code, output);

        using var reference = KnowledgeModelFile.LoadCheckpoint(single);
        using var byOne = KnowledgeModelFile.LoadCheckpoint(one);
        using var byTwo = KnowledgeModelFile.LoadCheckpoint(two);
        Assert.AreEqual(0.0, MaxDifference(reference, byOne), "one rank is the single-process run, bit for bit");
        CollectionAssert.AreEqual(reference.History.Losses.SelectMany(l => l.TaskLosses).ToArray(), byOne.History.Losses.SelectMany(l => l.TaskLosses).ToArray());

        Assert.AreEqual(reference.History.Rows, byTwo.History.Rows);
        Assert.AreEqual(reference.History.Steps, byTwo.History.Steps);
        Assert.AreEqual(reference.History.TruncatedBehaviours, byTwo.History.TruncatedBehaviours, "truncated behaviours are counted over the ranks");
        Assert.HasCount(reference.History.Losses.Count, byTwo.History.Losses);
        for (int w = 0; w < reference.History.Losses.Count; w++)
            for (int t = 0; t < reference.History.Losses[w].TaskLosses.Count; t++)
                Assert.AreEqual(reference.History.Losses[w].TaskLosses[t], byTwo.History.Losses[w].TaskLosses[t], 1e-4, $"loss window {w}, task {t}");
        double difference = MaxDifference(reference, byTwo);
        Console.WriteLine($"two ranks against one process: largest weight difference {difference:E2}");
        Assert.IsLessThan(1e-3, difference, "the weights of two ranks are those of the single process, up to float summation order");
        var rows = TestModels.HoldoutRows().First();
        var expected = reference.Extract(rows).Interaction;
        var actual = byTwo.Extract(rows).Interaction;
        Assert.IsLessThan(1e-3, expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)), "and so is their knowledge");
    }

    /// <summary>The largest absolute difference between the two models' parameters (same names, same shapes).</summary>
    internal static double MaxDifference(PretrainedModel a, PretrainedModel b)
    {
        using var scope = NewDisposeScope();
        var theirs = b.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        double max = 0;
        foreach (var (name, mine) in a.Network.named_parameters())
        {
            CollectionAssert.AreEqual(mine.shape, theirs[name].shape, name);
            max = Math.Max(max, (mine - theirs[name]).abs().max().item<float>());
        }
        return max;
    }

    /// <summary>Runs <c>keep</c> as <paramref name="ranks"/> ranks under <c>mpiexec</c> on this machine.</summary>
    internal static (int ExitCode, string Output) RunRanks(string mpiexec, int ranks, string[] args)
    {
        using var process = StartRanks(mpiexec, ranks, args);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Starts <c>mpiexec -n ranks dotnet keep.dll args</c> with its output redirected.</summary>
    internal static Process StartRanks(string mpiexec, int ranks, string[] args)
    {
        var start = new ProcessStartInfo(mpiexec) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", Path.Combine(AppContext.BaseDirectory, "keep.dll") }) start.ArgumentList.Add(arg);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    /// <summary>MPICH's <c>mpiexec</c>; inconclusive where MPICH is not installed (<c>.ci/run</c> installs it).</summary>
    internal static string Mpiexec()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string path = Path.Combine(dir, "mpiexec");
            if (File.Exists(path)) return path;
        }
        Assert.Inconclusive("MPICH's mpiexec is not installed (Debian: apt-get install mpich; .ci/run installs it).");
        return "";
    }
}
