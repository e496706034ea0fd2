namespace KEEP.MLNet.Data;

/// <summary>The three labels of an impression (paper Table 1): click, add-to-cart and conversion; cart and conversion imply a click.</summary>
public enum ImpressionLabel
{
    /// <summary>The impression was clicked.</summary>
    Click,
    /// <summary>The clicked item was added to the cart.</summary>
    Cart,
    /// <summary>The clicked item was bought.</summary>
    Conversion,
}
