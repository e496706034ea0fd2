using KEEP.MLNet.Plugin;
using KEEP.MLNet.Pretraining;

namespace KEEP.MLNet.Experiments;

/// <summary>Settings of <see cref="PaperExperiment"/>: which world, which seeds, which tables.</summary>
public sealed record PaperExperimentOptions
{
    /// <summary>Simulator preset: tiny, small, default or large.</summary>
    public string Preset { get; init; } = "default";
    /// <summary>One simulated world, pre-training and set of downstream models per seed.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
    /// <summary>Where worlds, checkpoints and results go; checkpoints found there are reused.</summary>
    public string OutputDirectory { get; init; } = "keep-experiment";
    /// <summary>Pre-training settings (the paper's by default); the task list is set per Table 4 variant.</summary>
    public PretrainingOptions Pretraining { get; init; } = new();
    /// <summary>Downstream KEEP DNN settings; the knowledge kinds are set per Table 3 variant.</summary>
    public KeepDnnOptions Dnn { get; init; } = new();
    /// <summary>Run Table 4 (pre-training tasks click / +conversion / +cart): two more pre-trainings per seed.</summary>
    public bool TaskAblation { get; init; } = true;
    /// <summary>Run the ML.NET tree trainers (FastTree and LightGbm) with and without knowledge.</summary>
    public bool TreeTrainers { get; init; } = true;
    /// <summary>Run the sample-merging baseline (downstream trained on super + sub rows).</summary>
    public bool SampleMerging { get; init; } = true;
    /// <summary>Upper bounds (inclusive) of the user-sparsity buckets, in sub-domain training rows per user.</summary>
    public IReadOnlyList<int> SparsityBounds { get; init; } = [5, 20];
}
