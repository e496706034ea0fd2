using KEEP.MLNet.Cli;

return KeepCli.Run(args, Spectre.Console.AnsiConsole.Console);
