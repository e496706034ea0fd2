using System.CommandLine;
using KEEP.MLNet.Cli.Commands;
using KEEP.MLNet.Data;
using Spectre.Console;

namespace KEEP.MLNet.Cli;

/// <summary>The <c>keep</c> command line: builds the command tree and maps failures to exit codes.</summary>
internal static class KeepCli
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>The user's input is wrong (bad argument, file or column); a one-line reason was printed.</summary>
    public const int UserError = 1;
    /// <summary>A bug or an environment failure; details were printed.</summary>
    public const int InternalError = 2;

    /// <summary>
    /// Runs the command line; help and parse errors go to <paramref name="output"/>/<paramref name="error"/> (default: the console).
    /// <paramref name="ranks"/>: the job's ranks when started by <c>mpiexec</c> (commands that train across processes use them).
    /// </summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter? output = null, TextWriter? error = null, Training.Distributed.ICommunicator? ranks = null)
    {
        JsonErrors.Value = args.Contains("--json");
        Ranks.Value = ranks is { Size: > 1 } ? ranks : null;
        KEEP.MLNet.Serving.RedisKnowledgeStore.Register(); // --store redis://… in publish, cached knowledge
        var root = Build(console);
        Collect(root);
        var configuration = new InvocationConfiguration();
        if (output != null) configuration.Output = output;
        if (error != null) configuration.Error = error;
        return root.Parse(args).Invoke(configuration);
    }

    /// <summary>The command tree: every command <c>keep</c> has.</summary>
    internal static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("KEEP.MLNet: knowledge extraction and plugging for click-through-rate models on ML.NET.\n\nExample:\n  keep demo --preset tiny");
        root.Subcommands.Add(GenerateCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(ImportCommand.Create(console));
        root.Subcommands.Add(PretrainCommand.Create(console));
        root.Subcommands.Add(ExtractCommand.Create(console));
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(EvaluateCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(PublishCommand.Create(console));
        root.Subcommands.Add(ExperimentCommand.Create(console));
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(RokCommand.Create(console));
        return root;
    }

    /// <summary>Whether this run's command asked for JSON (<c>--json</c>): its errors are JSON too.</summary>
    private static readonly AsyncLocal<bool> JsonErrors = new();

    private static readonly AsyncLocal<Training.Distributed.ICommunicator?> Ranks = new();

    /// <summary>The ranks of this run when <c>mpiexec</c> started several; null in a single process.</summary>
    public static Training.Distributed.ICommunicator? JobRanks => Ranks.Value;

    /// <summary>
    /// Runs a command body, turning exceptions into a one-line message and an exit code; with <c>--json</c>, the message
    /// is a JSON object on standard output (<c>{"error": …, "exitCode": …}</c>) so that a script parses every outcome.
    /// </summary>
    public static int Guard(IAnsiConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is not DataFormatException && DataFormatException.FindIn(e) is { } data)
        {
            // A bad row read on one of ML.NET's cursor worker threads arrives wrapped; the user gets the row, not the wrapper.
            return Fail(console, UserError, data.Message);
        }
        catch (Exception e) when (IsUserError(e))
        {
            return Fail(console, UserError, e is ArgumentException argument ? InFlags(argument) : e.Message);
        }
        catch (Exception e)
        {
            return Fail(console, InternalError, $"{e.GetType().Name}: {e.Message}", e.StackTrace);
        }
    }

    /// <summary>Settings whose flag is not their property's name in kebab case.</summary>
    private static readonly Dictionary<string, string> FlagOf = new(StringComparer.Ordinal) { ["PairwiseWeight"] = "--alpha", ["TestTrafficScale"] = "--test-traffic" };

    /// <summary>Every flag of the command tree (a setting is renamed to a flag only when that flag exists).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> KnownFlags = new(StringComparer.Ordinal);

    private static void Collect(Command command)
    {
        foreach (var option in command.Options) KnownFlags[option.Name] = true;
        foreach (var sub in command.Subcommands) Collect(sub);
    }

    /// <summary>
    /// An options class's message in the user's words: "Epochs must be at least 1. (Parameter 'Epochs')" becomes
    /// "--epochs must be at least 1." — the setting named by its flag, without .NET's parameter suffix.
    /// </summary>
    internal static string InFlags(ArgumentException e)
    {
        if (e.ParamName is not { Length: > 0 } name) return e.Message;
        string message = e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        if (!char.IsUpper(name[0])) return message;
        string flag = FlagOf.GetValueOrDefault(name) ?? "--" + string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
        return KnownFlags.ContainsKey(flag) ? new System.Text.RegularExpressions.Regex($@"\b{name}\b").Replace(message, flag, 1) : message;
    }

    private static int Fail(IAnsiConsole console, int code, string message, string? stackTrace = null)
    {
        if (Ranks.Value is { } ranks) message = $"rank {ranks.Rank} of {ranks.Size} failed: {message}";
        if (JsonErrors.Value)
        {
            console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { error = message, exitCode = code, stackTrace }, CliJson.Options));
            return code;
        }
        console.MarkupLineInterpolated($"[red]{(code == InternalError ? "internal error" : "error")}:[/] {message}");
        if (stackTrace != null) console.WriteLine(stackTrace);
        return code;
    }

    /// <summary>Bad input, and paths that cannot be read or written (missing, not writable, disk full): things the user can fix.</summary>
    private static bool IsUserError(Exception e) => e is DataFormatException or ArgumentException or IOException
        or UnauthorizedAccessException or OperationCanceledException
        or Serving.KnowledgeStoreUnavailableException or Serving.KnowledgeVersionNotFoundException;
}
