using System.Runtime.InteropServices;
using KEEP.MLNet.Cli;
using KEEP.MLNet.Data.Formats;

// A run stopped by SIGTERM or Ctrl+C ends before its using blocks run: remove its partial outputs (*.tmp) first,
// then let the signal end the process as it would have.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => AtomicFile.DeleteUncommitted());
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => AtomicFile.DeleteUncommitted());
return KeepCli.Run(args, Spectre.Console.AnsiConsole.Console);
