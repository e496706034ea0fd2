namespace KEEP.MLNet.Plugin;

/// <summary>What a <c>PredictionEngine</c> over a KEEP DNN (or any calibrated ML.NET binary classifier) returns.</summary>
public sealed class KeepDnnOutput
{
    /// <summary>The logit.</summary>
    public float Score { get; set; }
    /// <summary>The predicted probability of the label (click by default).</summary>
    public float Probability { get; set; }
    /// <summary>Probability &gt; 0.5.</summary>
    public bool PredictedLabel { get; set; }
}
