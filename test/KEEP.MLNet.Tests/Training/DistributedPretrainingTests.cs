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

    /// <summary>An uninterrupted two-rank run on the tiny world (the reference of the kill test too).</summary>
    private static readonly Lazy<string> TwoRanks = new(() =>
    {
        string two = Path.Combine(TestWorlds.TempFolder("mpi-two"), "two.zip");
        var (code, output) = RunRanks(Mpiexec(), 2, ["pretrain", .. Common(TestWorlds.Tiny.Files[DatasetSplit.Super]), "--out", two, "--json"]);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "\"ranks\": 2");
        return two;
    });

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void Two_ranks_follow_the_single_process_run_and_its_continuation_and_one_rank_is_it_bit_for_bit()
    {
        string mpiexec = Mpiexec();
        string folder = TestWorlds.TempFolder("mpi");
        string data = TestWorlds.Tiny.Files[DatasetSplit.Super];
        string single = Path.Combine(folder, "single.zip"), two = TwoRanks.Value, one = Path.Combine(folder, "one.zip");
        var (code, output) = CliRunner.Run(["pretrain", .. Common(data), "--out", single, "--quiet"]);
        Assert.AreEqual(0, code, output);
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

        // The next day's incremental pre-training (--continue-from) on two ranks follows one process's too, both with a
        // fresh Adam (ranks do not take the saved optimizer state).
        string next = TestWorlds.Tiny.Files[DatasetSplit.SubTrain];
        string continuedOne = Path.Combine(folder, "continued-one.zip"), continuedTwo = Path.Combine(folder, "continued-two.zip");
        (code, output) = CliRunner.Run(["pretrain", "--data", next, "--continue-from", single, "--fresh-optimizer", "--out", continuedOne, "--quiet"]);
        Assert.AreEqual(0, code, output);
        (code, output) = RunRanks(mpiexec, 2, ["pretrain", "--data", next, "--continue-from", single, "--out", continuedTwo, "--quiet"]);
        Assert.AreEqual(0, code, output);
        using var continuedByOne = KnowledgeModelFile.LoadCheckpoint(continuedOne);
        using var continuedByTwo = KnowledgeModelFile.LoadCheckpoint(continuedTwo);
        Assert.AreEqual(continuedByOne.History.Rows, continuedByTwo.History.Rows);
        Assert.IsGreaterThan(reference.History.Rows, continuedByTwo.History.Rows);
        Assert.IsLessThan(1e-3, MaxDifference(continuedByOne, continuedByTwo), "continued on two ranks as in one process");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void Killing_one_rank_ends_the_job_and_the_ranks_resume_from_its_checkpoint_to_the_uninterrupted_result()
    {
        string mpiexec = Mpiexec();
        string data = TestWorlds.Tiny.Files[DatasetSplit.Super];
        string killed = Path.Combine(TestWorlds.TempFolder("mpi-kill"), "killed.zip");
        string[] run = ["pretrain", .. Common(data), "--out", killed, "--checkpoint-every", "8000", "--quiet"];
        string output;
        int rank1;
        List<int> rankProcesses;
        using (var job = StartRanks(mpiexec, 2, run))
        {
            var stdout = job.StandardOutput.ReadToEndAsync();
            var stderr = job.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!File.Exists(killed + ".resume") && !job.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.IsFalse(job.HasExited, "the job ended before a rank could be killed; write checkpoints earlier");
            rankProcesses = RankProcesses(killed);
            rank1 = RankProcess(killed, rank: 1);
            using (var kill = Process.Start("kill", ["-KILL", rank1.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.IsTrue(job.WaitForExit(120_000), "the other rank did not end with the killed one");
            output = stdout.Result + stderr.Result;
            Assert.AreNotEqual(0, job.ExitCode, output);
        }
        Assert.AreEqual(0, RankProcesses(killed).Count, "no rank is left running");
        // A killed process prints nothing itself: mpiexec (MPICH's Hydra) reports a rank's process id and the signal. It
        // kills the other rank with the same signal and names whichever of the two it reaps first.
        var named = System.Text.RegularExpressions.Regex.Match(output, @"PID (\d+) RUNNING");
        Assert.IsTrue(named.Success, output);
        CollectionAssert.Contains(rankProcesses, int.Parse(named.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), $"mpiexec names a rank of the job ({string.Join(", ", rankProcesses)}; rank 1 was {rank1})");
        StringAssert.Contains(output, "signal 9");
        Assert.IsFalse(File.Exists(killed), "a killed job leaves no model file");

        var (code, resumed) = RunRanks(mpiexec, 2, [.. run, "--resume"]);
        Assert.AreEqual(0, code, resumed);
        Assert.IsFalse(File.Exists(killed + ".resume"), "the finished model supersedes the checkpoint");
        using var expected = KnowledgeModelFile.LoadCheckpoint(TwoRanks.Value);
        using var actual = KnowledgeModelFile.LoadCheckpoint(killed);
        Assert.AreEqual(expected.History.Rows, actual.History.Rows);
        CollectionAssert.AreEqual(expected.History.Losses.SelectMany(l => l.TaskLosses).ToArray(), actual.History.Losses.SelectMany(l => l.TaskLosses).ToArray());
        Assert.AreEqual(0.0, MaxDifference(expected, actual), "resumed from the checkpoint, the ranks end where the uninterrupted job ended");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void Ranks_that_read_different_data_stop_before_training_and_say_so()
    {
        // MPMD: rank 0 reads the super-domain, rank 1 the sub-domain's training rows.
        string output = Path.Combine(TestWorlds.TempFolder("mpi-mismatch"), "x.zip");
        string keep = Path.Combine(AppContext.BaseDirectory, "keep.dll");
        var start = new ProcessStartInfo(Mpiexec()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-n", "1", "dotnet", keep, "pretrain", "--data", TestWorlds.Tiny.Files[DatasetSplit.Super], "--out", output, ":",
            "-n", "1", "dotnet", keep, "pretrain", "--data", TestWorlds.Tiny.Files[DatasetSplit.SubTrain], "--out", output })
            start.ArgumentList.Add(arg);
        using var job = Process.Start(start)!;
        var stderr = job.StandardError.ReadToEndAsync();
        string text = job.StandardOutput.ReadToEnd() + stderr.Result;
        job.WaitForExit();
        Assert.AreNotEqual(0, job.ExitCode, text);
        StringAssert.Contains(text, "The ranks read different data");
        StringAssert.Contains(text, "every rank must read the same rows");
        Assert.IsFalse(File.Exists(output));
    }

    [TestMethod]
    public void A_rank_that_fails_says_which_rank_it_is()
    {
        var (code, output) = CliRunner.RunAs(new StubRanks(Rank: 1, Size: 3), "pretrain", "--data", "/no/such/folder", "--out", Path.Combine(TestWorlds.TempFolder("mpi-fail"), "x.zip"));
        Assert.AreEqual(1, code, output);
        StringAssert.StartsWith(output.Trim(), "error: rank 1 of 3 failed: ");
        StringAssert.Contains(output, "/no/such/folder");
    }

    /// <summary>A job's identity without MPI (no collective is reached before the failure).</summary>
    private sealed record StubRanks(int Rank, int Size) : KEEP.MLNet.Training.Distributed.ICommunicator
    {
        public void SumInPlace<T>(T[] values) where T : unmanaged => throw new NotSupportedException();
        public T[] AllGather<T>(T[] mine, out int[] counts) where T : unmanaged => throw new NotSupportedException();
        public T[]? Gather<T>(T[] mine, int root) where T : unmanaged => throw new NotSupportedException();
        public T[] AllToAll<T>(T[] send, int[] sendCounts, out int[] receiveCounts) where T : unmanaged => throw new NotSupportedException();
        public void Barrier() => throw new NotSupportedException();
    }

    /// <summary>The processes of ranks writing <paramref name="output"/> (their command line names it).</summary>
    private static List<int> RankProcesses(string output)
        => [.. Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(d => d.All(char.IsAsciiDigit)).Select(int.Parse)
            .Where(pid => ReadProc(pid, "cmdline") is { } cmd && cmd.Contains("keep.dll", StringComparison.Ordinal) && cmd.Contains(output, StringComparison.Ordinal))];

    /// <summary>The process of rank <paramref name="rank"/> (MPICH gives each rank PMI_RANK).</summary>
    private static int RankProcess(string output, int rank)
        => RankProcesses(output).Single(pid => ReadProc(pid, "environ") is { } env && env.Split('\0').Contains($"PMI_RANK={rank}"));

    private static string? ReadProc(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // ended meanwhile
        }
    }

    /// <summary>The largest absolute difference between the two models' parameters (same names, same shapes).</summary>
    internal static double MaxDifference(PretrainedModel a, PretrainedModel b) => MaxDifference(a.Network, b.Network);

    /// <summary>The largest absolute difference between two networks' parameters (same names, same shapes).</summary>
    internal static double MaxDifference(TorchSharp.torch.nn.Module a, TorchSharp.torch.nn.Module b)
    {
        using var scope = NewDisposeScope();
        var theirs = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        double max = 0;
        foreach (var (name, mine) in a.named_parameters())
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
