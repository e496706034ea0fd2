using KEEP.MLNet.Pretraining;
using KEEP.MLNet.Retrieval;

namespace KEEP.MLNet.Experiments;

/// <summary>Settings of <see cref="KeepExperiment"/>.</summary>
public sealed record KeepExperimentOptions
{
    /// <summary>Training impressions (Parquet or CSV); the last day is held out for validation.</summary>
    public required string TrainingFile { get; init; }
    /// <summary>A KEEP knowledge model; when given, every trainer is also tried with the knowledge plugged in.</summary>
    public PretrainedModel? Knowledge { get; init; }
    /// <summary>A ROK knowledge base; when given, every trainer is also tried with it (alone, and beside <see cref="Knowledge"/>).</summary>
    public RokModel? Rok { get; init; }
    /// <summary>Which ROK knowledge the ROK candidates plug in. Default: feature-wise.</summary>
    public RokKnowledgeKinds RokKinds { get; init; } = RokKnowledgeKinds.Fields;
    /// <summary>What the model predicts.</summary>
    public PretrainingTask Label { get; init; } = PretrainingTask.Click;
    /// <summary>Time budget: no candidate starts after it is spent (at least one always runs).</summary>
    public TimeSpan Time { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Trainers to try, in order: keep-dnn, fasttree, lightgbm, sdca.</summary>
    public IReadOnlyList<string> Trainers { get; init; } = ["fasttree", "keep-dnn", "lightgbm", "sdca"];
    /// <summary>Seed of every candidate.</summary>
    public int Seed { get; init; } = 1;
}
