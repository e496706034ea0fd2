using KEEP.MLNet.Training;

namespace KEEP.MLNet.Plugin;

/// <summary>
/// What a killed KEEP DNN training run needs to continue exactly: the DNN checkpoint so far (with its
/// knowledge model), the optimizer's state and the position (epoch, steps into it). Written atomically at loss-window
/// boundaries.
/// </summary>
internal static class DownstreamResumeCheckpoint
{
    /// <param name="Epoch">The epoch being trained.</param>
    /// <param name="Steps">Blocks of that epoch already trained.</param>
    /// <param name="Rows">Rows trained over all epochs.</param>
    internal sealed record Position(int Epoch, long Steps, long Rows);

    public static void Write(string path, KeepDnn model, Training.ITrainingOptimizer optimizer, Position position)
        => ResumeArchive.Write(path, position, zip => KeepDnnCheckpoint.WriteTo(model, zip), optimizer);

    public static ResumeState<KeepDnn, Position> Read(string path)
        => ResumeArchive.Read<KeepDnn, Position>(path, zip => KeepDnnCheckpoint.ReadFrom(zip, path), "keep-dnn.keep", KeepDnnCheckpoint.Load, "KEEP DNN resume checkpoint");
}
