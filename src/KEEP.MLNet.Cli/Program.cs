using System.Runtime.InteropServices;
using KEEP.MLNet.Cli;
using KEEP.MLNet.Data.Formats;

// A run stopped by SIGTERM or Ctrl+C ends before its using blocks run: remove its partial outputs (*.tmp) first,
// then let the signal end the process as it would have.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => AtomicFile.DeleteUncommitted());
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => AtomicFile.DeleteUncommitted());
// Started by mpiexec with several ranks: join the job (a plain run needs no MPI installed). A rank that fails ends
// every rank (MPI_Abort), so none is left waiting in a collective; its message names the rank.
using var ranks = KEEP.MLNet.Mpi.MpiCommunicator.LaunchedRanks > 1 ? KEEP.MLNet.Mpi.MpiCommunicator.Start() : null;
int code = KeepCli.Run(args, Spectre.Console.AnsiConsole.Console, ranks: ranks);
if (code != KeepCli.Ok && ranks != null)
{
    // mpiexec forwards a rank's output asynchronously and stops forwarding once MPI_Abort ends the job: flush, and give
    // it a moment to pass this rank's message on (measured: without the wait the message was sometimes cut after "error:").
    Console.Out.Flush();
    Console.Error.Flush();
    Thread.Sleep(TimeSpan.FromSeconds(1));
    ranks.Abort(code);
}
return code;
