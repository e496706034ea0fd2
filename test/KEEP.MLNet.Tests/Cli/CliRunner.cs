using System.Diagnostics;
using KEEP.MLNet.Cli;
using Spectre.Console;

namespace KEEP.MLNet.Tests.Cli;

/// <summary>Runs the <c>keep</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args) => RunAs(null, args);

    /// <summary>Runs <c>keep</c> in-process as one rank of a job of <paramref name="ranks"/> (null: a single process).</summary>
    public static (int ExitCode, string Output) RunAs(KEEP.MLNet.Training.Distributed.ICommunicator? ranks, params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 160;
        // Help and parse errors are captured through System.CommandLine's own writers, never by redirecting the
        // process-wide Console, which tests running in parallel also write to.
        var capture = new StringWriter();
        int code = KeepCli.Run(args, console, capture, capture, ranks);
        return (code, writer.ToString() + capture.ToString());
    }

    /// <summary>Runs <c>keep</c> in a new process (<c>dotnet keep.dll</c> from the test output), as a user would.</summary>
    public static (int ExitCode, string Output) RunInNewProcess(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Starts <c>keep</c> in a new process with its output redirected (the caller waits, reads or kills it).</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keep.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
