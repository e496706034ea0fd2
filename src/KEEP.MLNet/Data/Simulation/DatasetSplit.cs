namespace KEEP.MLNet.Data.Simulation;

/// <summary>Where a simulated impression goes.</summary>
public enum DatasetSplit
{
    /// <summary>The super-domain (the rest of the site), training days only: the pre-training data.</summary>
    Super,
    /// <summary>The sub-domain's training days: the downstream model's training data.</summary>
    SubTrain,
    /// <summary>The sub-domain's test days.</summary>
    SubTest,
}

/// <summary>A block of simulated impressions and the split it belongs to.</summary>
public readonly record struct SimulatedBatch(DatasetSplit Split, ImpressionBatch Batch);
