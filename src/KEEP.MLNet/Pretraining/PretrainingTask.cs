namespace KEEP.MLNet.Pretraining;

/// <summary>The pre-training tasks of KEEP (paper §3.2): click over impressions, conversion and add-to-cart over clicks.</summary>
public enum PretrainingTask
{
    /// <summary>Click-through (label <c>Click</c>, over every impression).</summary>
    Click,
    /// <summary>Conversion (label <c>Conversion</c>, over clicked impressions only).</summary>
    Conversion,
    /// <summary>Add-to-cart (label <c>Cart</c>, over clicked impressions only).</summary>
    Cart,
}
