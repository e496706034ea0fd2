using System.Diagnostics;
using KEEP.MLNet.Cli;
using Spectre.Console;

namespace KEEP.MLNet.Tests.Cli;

/// <summary>Runs the <c>keep</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args)
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
        var stdout = Console.Out;
        var capture = new StringWriter();
        int code;
        lock (typeof(CliRunner))
        {
            // System.CommandLine writes help and parse errors to Console.Out / Console.Error.
            var stderr = Console.Error;
            Console.SetOut(capture);
            Console.SetError(capture);
            try { code = KeepCli.Run(args, console); }
            finally { Console.SetOut(stdout); Console.SetError(stderr); }
        }
        return (code, writer.ToString() + capture.ToString());
    }

    /// <summary>Runs <c>keep</c> in a new process (<c>dotnet keep.dll</c> from the test output), as a user would.</summary>
    public static (int ExitCode, string Output) RunInNewProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "keep.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
