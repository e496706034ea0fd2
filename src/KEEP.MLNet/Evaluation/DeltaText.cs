using System.Globalization;

namespace KEEP.MLNet.Evaluation;

/// <summary>GAUC differences as reports print them: a sign always, four decimals, and a difference that rounds to zero printed as +0.0000 (not "-0.0000" or "-+0.0000").</summary>
public static class DeltaText
{
    /// <summary><paramref name="value"/> as +0.0123 / −0.0123 (ASCII minus), invariant culture.</summary>
    public static string Of(double value)
    {
        // A value that rounds to zero (of either sign) would take the negative section and print "-+0.0000".
        if (Math.Abs(value) < 0.00005) return "+0.0000";
        return value.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture);
    }
}
