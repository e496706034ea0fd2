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
}
