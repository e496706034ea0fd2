using System.Diagnostics;

namespace KEEP.MLNet.Tests.Cli;

[TestClass]
public sealed class SignalTests
{
    [TestMethod]
    [DataRow("TERM")]
    [DataRow("INT")]
    public void A_run_stopped_by_a_signal_leaves_no_partial_file(string signal)
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("POSIX signals");
        // A process started in the background (`cmd &`, nohup) ignores SIGINT, its children inherit that, and .NET keeps an
        // inherited ignore: the signal cannot reach the run, so there is nothing to test.
        if (signal == "INT" && IgnoresSigint()) Assert.Inconclusive("this test process ignores SIGINT (started in the background), and so would the run");
        string folder = TestWorlds.TempFolder("signal");
        // The paper-size world (3.9M rows) so that the run is still writing its first file when the signal comes, however
        // slow the machine (with the small world a loaded machine could finish between the poll and the signal).
        using var process = CliRunner.Start("generate", "--preset", "default", "--out", folder, "--quiet");
        var clock = Stopwatch.StartNew();
        while (Directory.GetFiles(folder, "super.parquet.*.tmp").Length == 0 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(20);
        Assert.IsFalse(process.HasExited, "the run was still writing when stopped");
        Assert.IsNotEmpty(Directory.GetFiles(folder, "*.tmp"), "a partial file existed while it wrote");
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.IsTrue(process.WaitForExit(60_000), "the signal ends the run");
        Assert.AreNotEqual(0, process.ExitCode, "a stopped run does not report success");
        Assert.IsEmpty(Directory.GetFiles(folder, "*.tmp"), $"no partial file after SIG{signal}");
    }

    /// <summary>Whether SIGINT (2) is in this process's ignored-signal mask (<c>SigIgn</c> of /proc/self/status).</summary>
    private static bool IgnoresSigint()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << 1)) != 0;
    }
}
