using System.CommandLine;

namespace KEEP.MLNet.Cli.Commands;

/// <summary>How a command reports: progress bars and tables by default, <c>--quiet</c>, or <c>--json</c>.</summary>
internal sealed class OutputArguments
{
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print only errors and the final result." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as JSON (implies --quiet)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Quiet);
        command.Options.Add(Json);
    }
}
